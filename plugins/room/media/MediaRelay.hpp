#pragma once
// The room's SFU fan-out: which publisher stream feeds which subscriber stream, and the per-packet
// path. Control calls (publish, subscribe, pause, remove, setTap) come from the room worker or Janus
// callback threads and are serialized by one mutex; they publish immutable snapshots through
// std::atomic<std::shared_ptr<...>> (copy on write). The media path (incomingRtp/Rtcp) only loads
// snapshots: no lock held while relaying, no allocation per packet. Objects a media thread may still
// be using stay alive through the shared_ptr it loaded (that is the refcounting of publishers).
#include "ChatMeter.hpp"
#include "MediaTap.hpp"
#include "RtpRewriter.hpp"

#include "hipaa/PluginCore.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace hipaa::room {

struct RelayStream {
    int mindex = 0;
    bool video = false;
    std::string codec;     // "opus", "vp8", "vp9", "h264"; empty for data
    int payloadType = 0;
    bool data = false;     // the data channel m-line (chat): relayed with relayData
    bool muted = false;    // initial state of setMuted
};

class MediaRelay {
public:
    explicit MediaRelay(MediaHost& host) : host_(host) {}

    // The chat limit of publishers published from now on (a renegotiation keeps its meter).
    void setChatLimit(ChatMeter::Limit limit);
    // What the publisher's data channel did since the last call, including what it did before it
    // unpublished (room worker: the `chat` audit summaries).
    ChatMeter::Counts takeChat(SessionId publisher);

    // Per-room tap (consult recording). Replaces the previous one; nullptr clears. Streams already
    // published in the room (by publishers it may see: setRecorded) are announced to the new tap
    // (streamAdded) before it sees packets.
    void setTap(const std::string& room, std::shared_ptr<MediaTap> tap);
    std::shared_ptr<MediaTap> tap(const std::string& room) const;

    // A publisher's streams (publish/configure renegotiation replaces them). `rembBps` > 0 caps the
    // publisher's bitrate (room class); 0 leaves it to the browser. `recorded`: see setRecorded.
    void publish(SessionId publisher, const std::string& room, uint64_t feed, std::vector<RelayStream> streams,
                 uint32_t rembBps, bool recorded);
    void unpublish(SessionId publisher);
    // Whether the room's tap sees this publisher at all (consult recording: a patient who has not
    // consented never reaches it, nor does anyone once the recording stops). Turned on: its streams
    // are announced to the tap (streamAdded), then packets follow; turned off: packets stop, then its
    // streams are removed (streamRemoved: the tap seals them).
    void setRecorded(SessionId publisher, bool recorded);
    // Feeds subscriber stream `subMindex` from publisher stream (feed, pubMindex); replaces what fed it
    // before (the rewriter keeps the outgoing stream continuous). Asks the publisher for a keyframe.
    bool subscribe(SessionId subscriber, uint64_t feed, int pubMindex, int subMindex);
    void unsubscribe(SessionId subscriber, int subMindex);
    // pause/start and configure per-stream send (subMindex -1: all of this subscriber's streams).
    void setSend(SessionId subscriber, int subMindex, bool send);
    // hangup_media / destroy_session / leave: drop the session as publisher and as subscriber.
    void removeSession(SessionId session);
    bool requestKeyframe(uint64_t feed, int pubMindex);
    // Keyframe requests for every video stream feeding this subscriber (its PeerConnection is up).
    void requestKeyframes(SessionId subscriber);
    // A publisher stream muted (by its owner or a moderator): neither relayed nor recorded.
    void setMuted(SessionId publisher, int mindex, bool muted);
    // Packets received from this publisher so far (the room's idle timeout counts media as activity).
    uint64_t packetsFrom(SessionId publisher) const;
    // Packets relayed to this subscriber handle so far (an observer who only watches is not idle).
    uint64_t packetsTo(SessionId subscriber) const;

    // Media threads.
    void incomingRtp(SessionId from, MediaPacket& packet) noexcept;
    void incomingRtcp(SessionId from, MediaPacket& packet) noexcept;
    // Data channel messages from a publisher to the subscribers of its data stream, within the
    // publisher's chat limit; returns how many subscribers it went to (0: the sender publishes no data
    // stream, e.g. it is waiting, or the message is over the limit and dropped).
    size_t incomingData(SessionId from, const char* label, bool binary, const uint8_t* data, size_t length,
                        int64_t nowUs) noexcept;

    uint64_t relayedPackets() const noexcept { return relayed_.load(std::memory_order_relaxed); }
    uint64_t chatRelayed() const noexcept { return chatRelayed_.load(std::memory_order_relaxed); }
    uint64_t chatDropped() const noexcept { return chatDropped_.load(std::memory_order_relaxed); }
    uint64_t publisherCount() const;

private:
    struct RoomTapSlot {
        std::atomic<std::shared_ptr<MediaTap>> tap;
    };
    // One subscriber stream. Its rewriter is written by the media thread of the publisher feeding it;
    // during a feed switch the old publisher's thread may still hold a snapshot with this stream for a
    // packet, so `busy` (a spin flag, uncontended otherwise) guards the rewrite itself, never the relay.
    struct SubStream {
        SessionId session = 0;
        int mindex = 0;
        bool video = false;
        std::atomic<bool> send{true};
        std::atomic<bool> rebase{false};  // set by control, consumed by the media thread: rewriter.reset()
        std::atomic_flag busy = ATOMIC_FLAG_INIT;
        std::atomic<uint64_t> sent{0};
        RtpRewriter rewriter;
        SubStream(SessionId s, int m, bool v, uint32_t ssrc)
            : session(s), mindex(m), video(v), rewriter(ssrc, v ? 3000u : 960u) {}
    };
    using Fanout = std::vector<std::vector<std::shared_ptr<SubStream>>>;  // by publisher stream position
    struct Publisher {
        SessionId session = 0;
        uint64_t feed = 0;
        std::string room;
        std::vector<RelayStream> streams;
        std::shared_ptr<RoomTapSlot> tap;
        std::atomic<std::shared_ptr<const Fanout>> fanout;
        std::unique_ptr<std::atomic<bool>[]> muted;  // by stream position
        std::atomic<bool> recorded{false};           // the room's tap sees it (setRecorded)
        int dataPosition = -1;
        std::shared_ptr<ChatMeter> chat;
        uint32_t rembBps = 0;
        std::atomic<int64_t> lastRembUs{0};
        std::atomic<uint64_t> packets{0};
        int position(int mindex) const noexcept;
    };
    struct Source {  // what feeds one subscriber stream (for its PLI/FIR)
        SessionId publisher = 0;
        int pubMindex = 0;
    };
    using PublisherMap = std::unordered_map<SessionId, std::shared_ptr<Publisher>>;
    using SourceMap = std::unordered_map<SessionId, std::map<int, Source>>;  // subscriber -> subMindex -> source

    std::shared_ptr<RoomTapSlot> slotLocked(const std::string& room);
    std::shared_ptr<Publisher> byFeedLocked(uint64_t feed) const;
    void detachLocked(SessionId subscriber, int subMindex);  // removes the SubStream from its publisher's fanout
    void publishMapsLocked();
    // The tap hears of the publisher's media streams (the data channel is not RTP and not recorded).
    static void announceLocked(const Publisher& p, MediaTap& tap);
    static void withdrawLocked(const Publisher& p, MediaTap& tap);

    MediaHost& host_;
    mutable std::mutex mutex_;  // control only
    PublisherMap publishers_;
    SourceMap sources_;
    std::map<std::pair<SessionId, int>, std::shared_ptr<SubStream>> subStreams_;
    std::map<std::string, std::shared_ptr<RoomTapSlot>> taps_;
    ChatMeter::Limit chatLimit_;
    std::unordered_map<SessionId, ChatMeter::Counts> chatLeft_;  // of publishers gone, until takeChat
    std::atomic<std::shared_ptr<const PublisherMap>> publishersSnap_{std::make_shared<const PublisherMap>()};
    std::atomic<std::shared_ptr<const SourceMap>> sourcesSnap_{std::make_shared<const SourceMap>()};
    std::atomic<uint64_t> relayed_{0}, chatRelayed_{0}, chatDropped_{0};
    std::atomic<uint32_t> nextSsrc_{0x48495041u};
};

}  // namespace hipaa::room
