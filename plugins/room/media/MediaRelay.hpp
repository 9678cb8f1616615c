// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The room's SFU fan-out: which publisher stream feeds which subscriber stream, and the per-packet
// path. Control calls (publish, subscribe, pause, remove, setTap) come from the room worker or Janus
// callback threads and are serialized by one mutex; they publish immutable snapshots (copy on write)
// through plain atomic pointers and retire what they replace to an RcuDomain. The media path
// (incomingRtp/Rtcp/Data) runs in an RCU read section: no lock, no allocation, no reference count per
// packet. Each subscriber handle is resolved once per subscription (MediaHost::route), not per packet.
// What a media thread may still be using is freed by reclaim() (the room worker's tick), never on a
// media thread.
#include "ChatMeter.hpp"
#include "ChatSink.hpp"
#include "DocumentDesk.hpp"
#include "MediaTap.hpp"
#include "RcuDomain.hpp"
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
    std::string codec;  // "opus", "vp8", "vp9", "h264"; empty for data
    int payloadType = 0;
    bool data = false;   // the data channel m-line (chat): relayed with relayData
    bool muted = false;  // initial state of setMuted
};

class MediaRelay {
public:
    explicit MediaRelay(MediaHost& host);
    ~MediaRelay();  // media threads must have stopped calling in

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
    // Per-room chat retention (class `chat = "record"`); nullptr clears. Publishers whose speaker is
    // `kept` have their messages offered to it before relaying; with no sink they are not relayed.
    void setChatSink(const std::string& room, std::shared_ptr<ChatSink> sink);
    // The document desk (one for every room): binary data channel messages that start like a document
    // frame go to it (not through the chat limit) instead of being relayed; without a desk they are
    // dropped. nullptr clears.
    void setDocumentDesk(std::shared_ptr<DocumentDesk> desk);
    // The desk's thread: a checked document's frames to the subscribers of `from`'s data stream.
    size_t relayFrames(SessionId from, const std::vector<Bytes>& frames) noexcept;

    // A publisher's streams (publish/configure renegotiation replaces them). `rembBps` > 0 caps the
    // publisher's bitrate (room class); 0 leaves it to the browser. `recorded`: see setRecorded.
    // Nothing happens when the publisher's handle is gone (Janus is destroying its session).
    // `speaker`: who the publisher is, for kept chat (ChatSink).
    void publish(SessionId publisher, const std::string& room, uint64_t feed, std::vector<RelayStream> streams,
                 uint32_t rembBps, bool recorded, ChatSpeaker speaker = {});
    void unpublish(SessionId publisher);
    // Whether the room's tap sees this publisher at all (consult recording: a patient who has not
    // consented never reaches it, nor does anyone once the recording stops). Turned on: its streams
    // are announced to the tap (streamAdded), then packets follow; turned off: packets stop, then its
    // streams are removed (streamRemoved: the tap seals them).
    void setRecorded(SessionId publisher, bool recorded);
    // Feeds subscriber stream `subMindex` from publisher stream (feed, pubMindex); replaces what fed it
    // before (the outgoing stream continues where the previous feed left it). Asks the publisher for a
    // keyframe. False (nothing changes) for an unknown feed or stream, oneself, or a subscriber whose
    // handle is gone.
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
    // Frees the snapshots, taps and handle routes that control calls replaced and no media thread can
    // still be using (the room worker calls it every tick). Never waits; returns how many it freed.
    size_t reclaim();

    // Media threads.
    void incomingRtp(SessionId from, MediaPacket& packet) noexcept;
    void incomingRtcp(SessionId from, MediaPacket& packet) noexcept;
    // Data channel messages from a publisher to the subscribers of its data stream, within the
    // publisher's chat limit; returns how many subscribers it went to (0: the sender publishes no data
    // stream, e.g. it is waiting, or the message is over the limit and dropped; or the room keeps chat
    // and its ChatSink did not take the message: counted in chatUnkept).
    // `noDataStream` (optional): set true when the sender publishes no data stream here.
    size_t incomingData(SessionId from, const char* label, bool binary, const uint8_t* data, size_t length,
                        int64_t nowUs, bool* noDataStream = nullptr) noexcept;

    uint64_t relayedPackets() const noexcept { return relayed_.load(std::memory_order_relaxed); }
    uint64_t chatRelayed() const noexcept { return chatRelayed_.load(std::memory_order_relaxed); }
    uint64_t chatDropped() const noexcept { return chatDropped_.load(std::memory_order_relaxed); }
    uint64_t chatUnkept() const noexcept { return chatUnkept_.load(std::memory_order_relaxed); }
    uint64_t publisherCount() const;

private:
    struct RoomTapSlot {
        std::atomic<MediaTap*> tap{nullptr};   // what media threads read
        std::shared_ptr<MediaTap> owner;       // control (under mutex_): keeps `tap` alive
        std::atomic<ChatSink*> chat{nullptr};  // kept chat (setChatSink)
        std::shared_ptr<ChatSink> chatOwner;   // control (under mutex_)
    };
    // One subscriber m-line: its own SSRC and its handle, resolved once.
    struct SubStream {
        SessionId session = 0;
        int mindex = 0;
        bool video = false;
        uint32_t ssrc = 0;
        std::unique_ptr<MediaRoute> route;
        std::atomic<bool> send{true};
        std::atomic<uint64_t> sent{0};
        uint64_t resumeAt = 0;  // control: where the last leg left the outgoing stream (a leg position)
    };
    // One publisher stream feeding one subscriber stream. Its rewriter is used only by that publisher's
    // media thread (Janus calls one handle from one thread). `position` is the newest packet sent,
    // published with a compare-exchange per packet; control closes the leg (switch, unsubscribe,
    // unpublish) by setting kClosed there, which makes that compare-exchange fail: the closed leg
    // never sends again, and the position read when closing is where the next leg continues. A media
    // thread still holding an old fanout therefore never races the new feeder (no lock, no spin).
    struct Leg {
        std::shared_ptr<SubStream> sub;
        RtpRewriter rewriter;
        std::atomic<uint64_t> position;
        Leg(std::shared_ptr<SubStream> s, uint64_t resumeAt);
    };
    using Fanout = std::vector<std::vector<std::shared_ptr<Leg>>>;  // by publisher stream position
    struct Publisher {
        SessionId session = 0;
        uint64_t feed = 0;
        std::string room;
        std::vector<RelayStream> streams;
        std::shared_ptr<RoomTapSlot> tap;
        std::unique_ptr<MediaRoute> route;          // PLI and REMB from the media threads; never null
        std::shared_ptr<const Fanout> fanoutOwner;  // control (under mutex_)
        std::atomic<const Fanout*> fanout{nullptr};
        std::unique_ptr<std::atomic<bool>[]> muted;  // by stream position
        std::atomic<bool> recorded{false};           // the room's tap sees it (setRecorded)
        int dataPosition = -1;
        std::shared_ptr<ChatMeter> chat;
        ChatSpeaker speaker;
        uint32_t rembBps = 0;
        std::atomic<int64_t> lastRembUs{0};
        std::atomic<uint64_t> packets{0};
        int position(int mindex) const noexcept;
    };
    struct Source {  // control: what feeds one subscriber stream
        SessionId publisher = 0;
        int pubMindex = 0;
        std::shared_ptr<Leg> leg;
    };
    struct FeedSource {  // the same for media threads (PLI/FIR from the subscriber)
        const Publisher* publisher = nullptr;
        int pubMindex = 0;
    };
    using PublisherMap = std::unordered_map<SessionId, std::shared_ptr<Publisher>>;
    using SourceMap = std::unordered_map<SessionId, std::map<int, Source>>;  // subscriber -> subMindex -> source
    // What media threads look publishers and PLI targets up in; immutable once published.
    struct Snapshot {
        PublisherMap publishers;
        std::unordered_map<SessionId, std::map<int, FeedSource>> sources;
    };

    std::shared_ptr<RoomTapSlot> slotLocked(const std::string& room);
    std::shared_ptr<Publisher> byFeedLocked(uint64_t feed) const;
    void setFanoutLocked(Publisher& pub, std::shared_ptr<const Fanout> fanout);
    // The leg stops sending; its subscriber stream remembers where it stopped.
    static void closeLeg(Leg& leg);
    void detachLocked(SessionId subscriber, int subMindex);  // removes the leg from its publisher's fanout
    void publishMapsLocked();
    // The tap hears of the publisher's media streams (the data channel is not RTP and not recorded).
    static void announceLocked(const Publisher& p, MediaTap& tap);
    static void withdrawLocked(const Publisher& p, MediaTap& tap);

    MediaHost& host_;
    RcuDomain rcu_;             // before everything it may free
    mutable std::mutex mutex_;  // control only
    PublisherMap publishers_;
    SourceMap sources_;
    std::map<std::pair<SessionId, int>, std::shared_ptr<SubStream>> subStreams_;
    std::map<std::string, std::shared_ptr<RoomTapSlot>> taps_;
    ChatMeter::Limit chatLimit_;
    std::unordered_map<SessionId, ChatMeter::Counts> chatLeft_;  // of publishers gone, until takeChat
    std::shared_ptr<const Snapshot> snapshotOwner_;              // control (under mutex_)
    std::atomic<DocumentDesk*> desk_{nullptr};                   // what media threads read
    std::shared_ptr<DocumentDesk> deskOwner_;                    // control (under mutex_)
    std::atomic<const Snapshot*> snapshot_{nullptr};
    std::atomic<uint64_t> relayed_{0}, chatRelayed_{0}, chatDropped_{0}, chatUnkept_{0};
    std::atomic<uint32_t> nextSsrc_{0x48495041u};
};

}  // namespace hipaa::room
