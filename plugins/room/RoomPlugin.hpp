#pragma once
// janus.plugin.hipaa.room: consult rooms (signalling side). Reads and checks its configuration
// (fail closed: no key, a key file others can read, or the development key outside development
// refuse to start), then runs RoomService on one worker thread: transport threads only queue
// messages (per-session order is kept by the single FIFO), the worker also fires the timeouts.
#include "MediaRelay.hpp"
#include "RecordingTap.hpp"
#include "RoomService.hpp"

#include "hipaa/BoundedQueue.hpp"
#include "hipaa/Config.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace hipaa::room {

inline constexpr PluginInfo kRoomInfo{"janus.plugin.hipaa.room", "HIPAA consult room",
                                      "HIPAA consult rooms: signed join tokens, roles, waiting room", "0.1.0", 100};

class RoomPlugin final : public MediaPluginCore {
public:
    using Clock = std::function<int64_t()>;  // microseconds since the epoch

    // `recorder`: the recorder's Admin API contract; null = janus.plugin.hipaa.recorder in this process
    // (InProcessAdmin).
    RoomPlugin(Config config, Logger log, MediaHost& host, VisitPublisher publisher = VisitPublisher::bus(),
               Clock clock = nullptr, RecordingTap::RecorderCall recorder = nullptr);
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

    // The media relay's side of recording (issue 5). While a room records, tap(room) is its
    // RecordingTap; the relay calls streamAdded for every current publisher stream when a tap appears
    // (observer), then rtp() for each packet. The observer runs on the room worker, under no lock.
    using TapObserver = std::function<void(const std::string& room, std::shared_ptr<MediaTap> tap)>;
    std::shared_ptr<MediaTap> tap(const std::string& room) const;
    void setTapObserver(TapObserver observer);

private:
    struct Task {
        enum class Kind { Message, MediaGone, SlowLink } kind = Kind::Message;
        SessionId session = 0;
        std::string transaction;
        JsonPtr message, jsep;
        bool uplink = false, video = false;  // SlowLink
    };
    void run();
    // Queues a media-thread task (no allocation but the Task's own; never throws); false when full.
    bool enqueue(Task t) noexcept;
    void apply(Effects effects);
    JsonPtr reloadKeys();
    void startTap(const std::string& room, const std::string& policy);
    std::vector<std::string> stopTap(const std::string& room);

    Config config_;
    Logger log_;
    MediaHost& host_;
    MediaRelay relay_;  // before service_, which holds a pointer to it
    Clock clock_;
    bool development_ = false;
    KeySources keySources_;
    std::shared_ptr<TokenVerifier> verifier_;
    std::unique_ptr<RoomService> service_;
    std::mutex mutex_;  // guards service_ (and sessions_)
    std::set<SessionId> sessions_;
    BoundedQueue<Task> queue_{8192};
    std::atomic<uint64_t> queued_{0}, handled_{0}, slowLinks_{0};
    RecordingTap::RecorderCall recorder_;
    mutable std::mutex tapsMutex_;  // guards taps_, retired_, tapObserver_
    std::map<std::string, std::shared_ptr<RecordingTap>> taps_;
    std::vector<std::shared_ptr<RecordingTap>> retired_;  // stopped; freed here, never on a media thread
    TapObserver tapObserver_;
    std::thread worker_;
};

}  // namespace hipaa::room
