// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// janus.plugin.hipaa.room: consult rooms (signalling side). Reads and checks its configuration
// (fail closed: no key, a key file others can read, or the development key outside development
// refuse to start), then runs RoomService on one worker thread: transport threads only queue
// messages (per-session order is kept by the single FIFO), the worker also fires the timeouts.
#include "ChatKeeper.hpp"
#include "DirectoryBridge.hpp"
#include "MediaRelay.hpp"
#include "PgTokenState.hpp"
#include "RecordingTap.hpp"
#include "RevocationListener.hpp"
#include "RoomConfig.hpp"
#include "RoomService.hpp"

#include "hipaa/BoundedQueue.hpp"
#include "hipaa/Config.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace hipaa::room {

inline constexpr PluginInfo kRoomInfo{"janus.plugin.hipaa.room",
                                      "HIPAA consult room",
                                      "HIPAA consult rooms: signed join tokens, roles, waiting room",
                                      "0.1.0",
                                      100,
                                      "hipaa.room"};

class RoomPlugin final : public MediaPluginCore {
public:
    using Clock = std::function<int64_t()>;  // microseconds since the epoch

    // `recorder`: where the recording sink registers; null = janus.plugin.hipaa.recorder in this
    // process (RecordingSink::inProcess()).
    RoomPlugin(Config config, Logger log, MediaHost& host, VisitPublisher publisher = VisitPublisher::bus(),
               Clock clock = nullptr, const RecordingTap::Sink* recorder = nullptr);
    ~RoomPlugin() override;
    static std::unique_ptr<MediaPluginCore> create(const std::string& configFile, Logger log, MediaHost& host);

    void createSession(SessionId session) override;
    void destroySession(SessionId session) override;
    Reply handleMessage(SessionId session, const std::string& transaction, JsonPtr message, JsonPtr jsep) override;
    JsonPtr handleAdmin(const json_t* request) override;
    JsonPtr querySession(SessionId session) override;
    void setupMedia(SessionId session) override;
    void hangupMedia(SessionId session) override;
    void incomingRtp(SessionId session, MediaPacket& packet) noexcept override;
    void incomingRtcp(SessionId session, MediaPacket& packet) noexcept override;
    void incomingData(SessionId session, const char* label, bool binary, const uint8_t* data,
                      size_t length) noexcept override;
    void slowLink(SessionId session, bool uplink, bool video) noexcept override;
    const MediaRelay& relay() const { return relay_; }

    // Waits until the worker has handled everything queued so far (tests).
    void drain();

    // The media relay's side of recording. While a room records, tap(room) is its RecordingTap; the
    // relay calls streamAdded for every current publisher stream it may record when a tap appears
    // (observer), then rtp() for each packet. The observer runs on the recorder thread, under no lock.
    using TapObserver = std::function<void(const std::string& room, std::shared_ptr<MediaTap> tap)>;
    std::shared_ptr<MediaTap> tap(const std::string& room) const;
    void setTapObserver(TapObserver observer);

private:
    struct Task {
        enum class Kind {
            Message,
            MediaGone,
            SlowLink,
            RecordingStarted,
            RecordingStopped,
            RecordingFailure,
            ChatSealed,        // a StopChat's outcome: ids = {the sealed kept chat} or {}
            ChatUnkept,        // message = {"room","reason"}: the kept chat cannot be kept
            WaitingData,       // data from a handle with no data stream (video: a document; ticket: how many)
            SharedRevocation,  // message = {"kind","target","until"} from the RevocationListener
            SessionChanges,    // wakes the worker for sessionChanges_
            ConfiguredRooms    // ids: the .jcfg's rooms this instance hosts, once the directory was reached
        } kind = Kind::Message;
        SessionId session = 0;
        std::string transaction;
        JsonPtr message, jsep;
        bool uplink = false, video = false;  // SlowLink
        // RecordingFailure (from a RecordingTap's thread): message = {"room","reason","recording"}
        uint64_t ticket = 0;  // Recording*: the effect's ticket
        bool ok = false;
        std::vector<std::string> ids{};  // RecordingStopped: the recorder's recordings
    };
    // A StartRecording / StopRecording effect, carried out on the recorder thread.
    struct RecorderJob {
        enum class Chat { None, Keep, Stop };
        bool start = false;
        std::string room, policy;
        uint64_t ticket = 0;
        RecordingContext context;
        Chat chat = Chat::None;  // a chat keeper job (no outcome task); else a recording one
    };
    // A handle attached or detached (a Janus thread): queued for the worker, which applies the changes
    // under mutex_ before each batch, so no Janus thread waits while a join waits for the database.
    struct SessionChange {
        SessionId session = 0;
        uint64_t client = 0;
        bool created = false;
    };
    void noteSession(SessionId session, uint64_t client, bool created);
    void applySessionChanges();
    void run();
    // The recorder thread: runs the jobs in order (a room's stop after its start), never under mutex_,
    // and queues each outcome for the worker. The recorder may take seconds (a busy disk): no room
    // waits for it.
    void recorderLoop();
    // Queues a media-thread task (no allocation but the Task's own; never throws); false when full.
    bool enqueue(Task t) noexcept;
    void apply(const Effects& effects);
    JsonPtr reloadKeys();
    JsonPtr sharedStateInfo() const;
    // cluster.conninfo: a join for a room another instance hosts is answered here (469/468).
    bool redirected(const Task& t);
    // cluster.conninfo: `create` registers the room in the directory first (471/468).
    JsonPtr createShared(const json_t* request);
    void startTap(const std::string& room, const std::string& policy, const RecordingContext& context);
    std::vector<std::string> stopTap(const std::string& room);
    // Kept chat (class `chat = "record"`), on the recorder thread like the tap.
    void startChat(const std::string& room, const std::string& policy, const RecordingContext& context);
    void reportUnkept(const std::string& room, const char* reason);
    // The sealed kept chat's recording ("" when none ran or it did not seal).
    std::string stopChat(const std::string& room);

    Config config_;
    Logger log_;
    MediaHost& host_;
    MediaRelay relay_;  // before service_, which holds a pointer to it
    Clock clock_;
    bool development_ = false;
    bool dobCheck_ = false;  // some class checks dates of birth: a reload must keep a dob key
    KeySources keySources_;
    std::shared_ptr<TokenVerifier> verifier_;
    std::unique_ptr<RoomService> service_;
    std::shared_ptr<PgTokenState> sharedState_;     // cluster.conninfo set; else null
    std::unique_ptr<RevocationListener> listener_;  // idem; stopped first
    std::mutex mutex_;                              // guards service_ (and sessions_)
    std::set<std::string> classes_;
    std::map<std::string, RoomConfig::ConfiguredRoom> configured_;  // the .jcfg's rooms
    std::unique_ptr<DirectoryBridge> directory_;                    // null without cluster.conninfo
    std::set<SessionId> sessions_;
    BoundedQueue<Task> queue_{8192};
    std::atomic<uint64_t> queued_{0}, handled_{0}, slowLinks_{0}, recordingFailures_{0};
    // Data from handles that publish no data stream (someone waiting): at most one task per handle and
    // second reaches the worker, the rest are counted into it (media threads; rare, so a lock is fine).
    struct WaitingDataCount {
        int64_t lastUs = 0;
        uint64_t messages = 0, documents = 0;
    };
    std::mutex waitingDataMutex_;
    std::map<SessionId, WaitingDataCount> waitingData_;
    const RecordingTap::Sink& recorder_;
    mutable std::mutex tapsMutex_;  // guards taps_, retired_, tapObserver_
    std::map<std::string, std::shared_ptr<RecordingTap>> taps_;
    std::vector<std::shared_ptr<RecordingTap>> retired_;          // stopped; freed here, never on a media thread
    std::map<std::string, std::shared_ptr<ChatKeeper>> keepers_;  // recorder thread (and shutdown)
    std::shared_ptr<DocumentDesk> desk_;                          // every room's documents
    TapObserver tapObserver_;
    std::mutex sessionChangesMutex_;            // guards sessionChanges_
    std::deque<SessionChange> sessionChanges_;  // unbounded: a detach must never be dropped
    std::mutex jobsMutex_;                      // guards jobs_, jobsClosed_
    std::condition_variable jobsCv_;
    std::deque<RecorderJob> jobs_;  // unbounded: a stop must never be dropped
    bool jobsClosed_ = false;
    std::atomic<bool> stopping_{false};
    std::thread recorderThread_;
    std::thread worker_;
};

}  // namespace hipaa::room
