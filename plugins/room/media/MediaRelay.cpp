// SPDX-License-Identifier: GPL-3.0-or-later
#include "MediaRelay.hpp"

#include "RtcpKeyframeRequest.hpp"

#include "hipaa/Clock.hpp"

#include <chrono>
#include <utility>

namespace hipaa::room {
namespace {

// Browsers lower their own estimate only while REMB keeps coming: repeat the cap this often.
constexpr int64_t kRembEveryUs = 2000000;

// A leg's position word: closed (bit 63), started (bit 48), sequence number (32-47), timestamp (0-31).
constexpr uint64_t kClosed = uint64_t{1} << 63;
constexpr uint64_t kStarted = uint64_t{1} << 48;

uint64_t pack(RtpRewriter::Position p) noexcept { return (p.started ? kStarted : 0) | (uint64_t{p.seq} << 32) | p.ts; }

RtpRewriter::Position unpack(uint64_t w) noexcept {
    return {(w & kStarted) != 0, static_cast<uint16_t>(w >> 32), static_cast<uint32_t>(w)};
}

}  // namespace

MediaRelay::MediaRelay(MediaHost& host) : host_(host) {
    snapshotOwner_ = std::make_shared<const Snapshot>();
    snapshot_.store(snapshotOwner_.get());
}

MediaRelay::~MediaRelay() { rcu_.synchronize(); }

MediaRelay::Leg::Leg(std::shared_ptr<SubStream> s, uint64_t resumeAt)
    : sub(std::move(s)), rewriter(sub->ssrc, sub->video ? 3000u : 960u), position(resumeAt) {
    rewriter.resume(unpack(resumeAt));
}

int MediaRelay::Publisher::position(int mindex) const noexcept {
    for (size_t i = 0; i < streams.size(); ++i)
        if (streams[i].mindex == mindex) return static_cast<int>(i);
    return -1;
}

std::shared_ptr<MediaRelay::RoomTapSlot> MediaRelay::slotLocked(const std::string& room) {
    auto& slot = taps_[room];
    if (!slot) slot = std::make_shared<RoomTapSlot>();
    return slot;
}

std::shared_ptr<MediaRelay::Publisher> MediaRelay::byFeedLocked(uint64_t feed) const {
    for (const auto& [s, p] : publishers_)
        if (p->feed == feed) return p;
    return nullptr;
}

void MediaRelay::publishMapsLocked() {
    auto next = std::make_shared<Snapshot>();
    next->publishers = publishers_;
    for (const auto& [sub, bySub] : sources_)
        for (const auto& [subMindex, src] : bySub)
            if (auto p = publishers_.find(src.publisher); p != publishers_.end())
                next->sources[sub][subMindex] = FeedSource{p->second.get(), src.pubMindex};
    std::shared_ptr<const Snapshot> old = std::exchange(snapshotOwner_, std::move(next));
    snapshot_.store(snapshotOwner_.get(), std::memory_order_seq_cst);
    rcu_.retire(std::move(old));
}

void MediaRelay::setFanoutLocked(Publisher& pub, std::shared_ptr<const Fanout> fanout) {
    std::shared_ptr<const Fanout> old = std::exchange(pub.fanoutOwner, std::move(fanout));
    pub.fanout.store(pub.fanoutOwner.get(), std::memory_order_seq_cst);
    rcu_.retire(std::move(old));
}

void MediaRelay::closeLeg(Leg& leg) {
    leg.sub->resumeAt = leg.position.fetch_or(kClosed, std::memory_order_acq_rel) & ~kClosed;
}

size_t MediaRelay::reclaim() { return rcu_.reclaim(); }

void MediaRelay::announceLocked(const Publisher& p, MediaTap& tap) {
    for (const auto& st : p.streams)
        if (!st.data) tap.streamAdded(TapStream{p.feed, st.mindex, st.video, st.codec, st.payloadType});
}

void MediaRelay::withdrawLocked(const Publisher& p, MediaTap& tap) {
    for (const auto& st : p.streams)
        if (!st.data) tap.streamRemoved(p.feed, st.mindex);
}

void MediaRelay::setTap(const std::string& room, std::shared_ptr<MediaTap> tap) {
    std::lock_guard lock(mutex_);
    auto slot = slotLocked(room);
    if (tap)
        for (const auto& [s, p] : publishers_)
            if (p->room == room && p->recorded.load()) announceLocked(*p, *tap);
    // Media threads read the slot's pointer; the old tap is freed once none of them can hold it.
    std::shared_ptr<MediaTap> old = std::exchange(slot->owner, std::move(tap));
    slot->tap.store(slot->owner.get(), std::memory_order_seq_cst);
    rcu_.retire(std::move(old));
}

void MediaRelay::setChatSink(const std::string& room, std::shared_ptr<ChatSink> sink) {
    std::lock_guard lock(mutex_);
    auto slot = slotLocked(room);
    std::shared_ptr<ChatSink> old = std::exchange(slot->chatOwner, std::move(sink));
    slot->chat.store(slot->chatOwner.get(), std::memory_order_seq_cst);
    rcu_.retire(std::move(old));
}

void MediaRelay::setDocumentDesk(std::shared_ptr<DocumentDesk> desk) {
    std::lock_guard lock(mutex_);
    std::shared_ptr<DocumentDesk> old = std::exchange(deskOwner_, std::move(desk));
    desk_.store(deskOwner_.get(), std::memory_order_seq_cst);
    rcu_.retire(std::move(old));
}

size_t MediaRelay::relayFrames(SessionId from, const std::vector<Bytes>& frames) noexcept {
    RcuDomain::ReadSection reading = rcu_.read();
    const Snapshot& snap = *snapshot_.load(std::memory_order_seq_cst);
    auto it = snap.publishers.find(from);
    if (it == snap.publishers.end() || it->second->dataPosition < 0) return 0;  // left meanwhile
    const Publisher& pub = *it->second;
    const Fanout& fan = *pub.fanout.load(std::memory_order_seq_cst);
    size_t n = 0;
    for (const auto& leg : fan[static_cast<size_t>(pub.dataPosition)]) {
        if (!leg->sub->send.load(std::memory_order_relaxed) ||
            (leg->position.load(std::memory_order_relaxed) & kClosed))
            continue;
        for (const auto& f : frames) leg->sub->route->relayData("document", true, f.data(), f.size());
        ++n;
    }
    return n;
}

std::shared_ptr<MediaTap> MediaRelay::tap(const std::string& room) const {
    std::lock_guard lock(mutex_);
    auto it = taps_.find(room);
    return it == taps_.end() ? nullptr : it->second->owner;
}

void MediaRelay::publish(SessionId session, const std::string& room, uint64_t feed, std::vector<RelayStream> streams,
                         uint32_t rembBps, bool recorded, ChatSpeaker speaker) {
    {
        std::lock_guard lock(mutex_);
        // The handle, resolved once for this publication (PLI and REMB from the media threads). None:
        // Janus is destroying the session (a publish queued before that lost the race): nothing to relay.
        std::unique_ptr<MediaRoute> route = host_.route(session);
        if (!route) return;
        auto pub = std::make_shared<Publisher>();
        pub->session = session;
        pub->feed = feed;
        pub->room = room;
        pub->streams = std::move(streams);
        pub->tap = slotLocked(room);
        pub->route = std::move(route);
        pub->rembBps = rembBps;
        pub->speaker = std::move(speaker);
        pub->speaker.room = room;
        pub->muted = std::make_unique<std::atomic<bool>[]>(pub->streams.size());
        for (size_t i = 0; i < pub->streams.size(); ++i) {
            pub->muted[i].store(pub->streams[i].muted);
            if (pub->streams[i].data) pub->dataPosition = static_cast<int>(i);
        }
        auto fanout = std::make_shared<Fanout>(pub->streams.size());
        pub->chat = std::make_shared<ChatMeter>(chatLimit_);
        if (auto old = publishers_.find(session); old != publishers_.end()) {
            // Renegotiation: keep the subscribers of streams that still exist (and the chat limit's state).
            const Publisher& prev = *old->second;
            pub->packets.store(prev.packets.load());
            pub->chat = prev.chat;
            for (size_t i = 0; i < prev.streams.size(); ++i) {
                int pos = pub->position(prev.streams[i].mindex);
                if (pos >= 0) (*fanout)[static_cast<size_t>(pos)] = (*prev.fanoutOwner)[i];
            }
            // A media thread may still hold the old publisher for a packet: it stops feeding the tap
            // first, then the tap forgets its streams (the new ones are announced below).
            if (old->second->recorded.exchange(false))
                if (auto& t = old->second->tap->owner) withdrawLocked(*old->second, *t);
            rcu_.retire(old->second);
        }
        setFanoutLocked(*pub, std::move(fanout));
        if (auto& t = pub->tap->owner; t && recorded) announceLocked(*pub, *t);
        pub->recorded.store(recorded, std::memory_order_release);
        publishers_[session] = std::move(pub);
        publishMapsLocked();
    }
    if (rembBps > 0) host_.sendRemb(session, rembBps);
}

void MediaRelay::unpublish(SessionId session) {
    std::lock_guard lock(mutex_);
    auto it = publishers_.find(session);
    if (it == publishers_.end()) return;
    if (deskOwner_) deskOwner_->gone(session);  // a document in flight stopped half-way: refused
    auto pub = it->second;
    publishers_.erase(it);
    if (ChatMeter::Counts c = pub->chat->take(); !c.empty()) chatLeft_[session] += c;
    // Subscriber streams it fed stop being fed (their SubStream stays for a later subscribe).
    for (auto& [sub, bySub] : sources_)
        for (auto s = bySub.begin(); s != bySub.end();) {
            if (s->second.publisher == session) {
                closeLeg(*s->second.leg);
                s = bySub.erase(s);
            } else {
                ++s;
            }
        }
    std::erase_if(sources_, [](const auto& kv) { return kv.second.empty(); });
    if (pub->recorded.exchange(false))
        if (auto& t = pub->tap->owner) withdrawLocked(*pub, *t);
    publishMapsLocked();
    rcu_.retire(std::move(pub));  // its route is dropped by reclaim(), off the media threads
}

void MediaRelay::setRecorded(SessionId session, bool recorded) {
    std::lock_guard lock(mutex_);
    auto it = publishers_.find(session);
    if (it == publishers_.end()) return;
    Publisher& pub = *it->second;
    if (recorded) {
        if (pub.recorded.load()) return;
        // Streams first, then packets: the tap never sees a packet of a stream it was not told of.
        if (auto& t = pub.tap->owner) announceLocked(pub, *t);
        pub.recorded.store(true, std::memory_order_release);
    } else if (pub.recorded.exchange(false, std::memory_order_acq_rel)) {
        // Packets stop first; a media thread past the check hands the tap one more packet of a
        // stream it is about to forget (the tap drops and counts it as unknown).
        if (auto& t = pub.tap->owner) withdrawLocked(pub, *t);
    }
}

void MediaRelay::detachLocked(SessionId subscriber, int subMindex) {
    auto sit = sources_.find(subscriber);
    if (sit == sources_.end()) return;
    auto src = sit->second.find(subMindex);
    if (src == sit->second.end()) return;
    closeLeg(*src->second.leg);
    if (auto pit = publishers_.find(src->second.publisher); pit != publishers_.end()) {
        Publisher& pub = *pit->second;
        auto fan = std::make_shared<Fanout>(*pub.fanoutOwner);
        if (int pos = pub.position(src->second.pubMindex); pos >= 0)
            std::erase((*fan)[static_cast<size_t>(pos)], src->second.leg);
        setFanoutLocked(pub, std::move(fan));
    }
    sit->second.erase(src);
    if (sit->second.empty()) sources_.erase(sit);
}

bool MediaRelay::subscribe(SessionId subscriber, uint64_t feed, int pubMindex, int subMindex) {
    SessionId pubSession = 0;
    bool wantsKeyframe = false;
    {
        std::lock_guard lock(mutex_);
        auto pub = byFeedLocked(feed);
        if (!pub || pub->session == subscriber) return false;
        int pos = pub->position(pubMindex);
        if (pos < 0) return false;
        auto key = std::make_pair(subscriber, subMindex);
        bool video = pub->streams[static_cast<size_t>(pos)].video;
        std::shared_ptr<SubStream> ss;
        if (auto it = subStreams_.find(key); it != subStreams_.end() && it->second->video == video) ss = it->second;
        std::unique_ptr<MediaRoute> route;
        if (!ss) {
            route = host_.route(subscriber);  // the handle, resolved once for this subscription
            if (!route) return false;         // its session is gone
        }
        detachLocked(subscriber, subMindex);  // a switch: the old leg stops where the new one continues
        if (!ss) {
            ss = std::make_shared<SubStream>();
            ss->session = subscriber;
            ss->mindex = subMindex;
            ss->video = video;
            ss->ssrc = nextSsrc_.fetch_add(0x01010101u);
            ss->route = std::move(route);
            auto& slot = subStreams_[key];
            rcu_.retire(std::exchange(slot, ss));  // a stream of the other kind had this m-line
        }
        auto leg = std::make_shared<Leg>(ss, ss->resumeAt);
        auto fan = std::make_shared<Fanout>(*pub->fanoutOwner);
        (*fan)[static_cast<size_t>(pos)].push_back(leg);
        setFanoutLocked(*pub, std::move(fan));
        sources_[subscriber][subMindex] = Source{pub->session, pubMindex, std::move(leg)};
        publishMapsLocked();
        pubSession = pub->session;
        wantsKeyframe = video;
    }
    if (wantsKeyframe) host_.sendPli(pubSession, pubMindex);  // the subscriber needs one to start decoding
    return true;
}

void MediaRelay::unsubscribe(SessionId subscriber, int subMindex) {
    std::lock_guard lock(mutex_);
    detachLocked(subscriber, subMindex);
    if (auto it = subStreams_.find({subscriber, subMindex}); it != subStreams_.end()) {
        rcu_.retire(std::move(it->second));
        subStreams_.erase(it);
    }
    publishMapsLocked();
}

void MediaRelay::setSend(SessionId subscriber, int subMindex, bool send) {
    std::lock_guard lock(mutex_);
    for (auto it = subStreams_.lower_bound({subscriber, INT32_MIN});
         it != subStreams_.end() && it->first.first == subscriber; ++it)
        if (subMindex < 0 || it->first.second == subMindex) it->second->send.store(send, std::memory_order_relaxed);
}

void MediaRelay::removeSession(SessionId session) {
    unpublish(session);
    std::lock_guard lock(mutex_);
    if (auto sit = sources_.find(session); sit != sources_.end()) {
        std::vector<int> mids;
        for (const auto& [m, s] : sit->second) mids.push_back(m);
        for (int m : mids) detachLocked(session, m);
    }
    for (auto it = subStreams_.lower_bound({session, INT32_MIN});
         it != subStreams_.end() && it->first.first == session;) {
        rcu_.retire(std::move(it->second));  // the handle route goes in reclaim(), off the media threads
        it = subStreams_.erase(it);
    }
    publishMapsLocked();
}

bool MediaRelay::requestKeyframe(uint64_t feed, int pubMindex) {
    SessionId s = 0;
    {
        std::lock_guard lock(mutex_);
        auto pub = byFeedLocked(feed);
        if (!pub) return false;
        s = pub->session;
    }
    host_.sendPli(s, pubMindex);
    return true;
}

void MediaRelay::requestKeyframes(SessionId subscriber) {
    std::vector<std::pair<SessionId, int>> asks;
    {
        std::lock_guard lock(mutex_);
        auto sit = sources_.find(subscriber);
        if (sit == sources_.end()) return;
        for (const auto& [subMindex, src] : sit->second) {
            auto pit = publishers_.find(src.publisher);
            if (pit == publishers_.end()) continue;
            int pos = pit->second->position(src.pubMindex);
            if (pos >= 0 && pit->second->streams[static_cast<size_t>(pos)].video)
                asks.emplace_back(src.publisher, src.pubMindex);
        }
    }
    for (const auto& [pub, mindex] : asks) host_.sendPli(pub, mindex);
}

void MediaRelay::setMuted(SessionId publisher, int mindex, bool muted) {
    std::lock_guard lock(mutex_);
    auto it = publishers_.find(publisher);
    if (it == publishers_.end()) return;
    int pos = it->second->position(mindex);
    if (pos >= 0) it->second->muted[static_cast<size_t>(pos)].store(muted, std::memory_order_relaxed);
}

uint64_t MediaRelay::packetsFrom(SessionId publisher) const {
    std::lock_guard lock(mutex_);
    auto it = publishers_.find(publisher);
    return it == publishers_.end() ? 0 : it->second->packets.load(std::memory_order_relaxed);
}

uint64_t MediaRelay::packetsTo(SessionId subscriber) const {
    std::lock_guard lock(mutex_);
    uint64_t n = 0;
    for (auto it = subStreams_.lower_bound({subscriber, INT32_MIN});
         it != subStreams_.end() && it->first.first == subscriber; ++it)
        n += it->second->sent.load(std::memory_order_relaxed);
    return n;
}

uint64_t MediaRelay::publisherCount() const {
    std::lock_guard lock(mutex_);
    return publishers_.size();
}

void MediaRelay::incomingRtp(SessionId from, MediaPacket& packet) noexcept {
    RtpRewriter::Header in{};
    if (!RtpRewriter::read(packet.data, packet.length, in)) return;
    RcuDomain::ReadSection reading = rcu_.read();
    const Snapshot& snap = *snapshot_.load(std::memory_order_seq_cst);
    auto it = snap.publishers.find(from);
    if (it == snap.publishers.end()) return;  // not publishing (waiting, subscriber, unpublished): dropped
    Publisher& pub = *it->second;
    int pos = pub.position(packet.mindex);
    if (pos < 0) return;
    pub.packets.fetch_add(1, std::memory_order_relaxed);
    if (pub.muted[static_cast<size_t>(pos)].load(std::memory_order_relaxed)) return;
    if (pub.rembBps && packet.video) {
        int64_t now = Clock::monotonicUs(), last = pub.lastRembUs.load(std::memory_order_relaxed);
        if (now - last >= kRembEveryUs && pub.lastRembUs.compare_exchange_strong(last, now))
            pub.route->sendRemb(pub.rembBps);
    }
    if (pub.recorded.load(std::memory_order_acquire))
        if (MediaTap* t = pub.tap->tap.load(std::memory_order_seq_cst))
            t->rtp(pub.feed, packet.mindex, packet.data, packet.length);
    const Fanout& fan = *pub.fanout.load(std::memory_order_seq_cst);
    uint64_t n = 0;
    for (const auto& leg : fan[static_cast<size_t>(pos)]) {
        SubStream& ss = *leg->sub;
        if (!ss.send.load(std::memory_order_relaxed)) continue;
        uint64_t at = leg->position.load(std::memory_order_relaxed);
        if (at & kClosed) continue;
        RtpRewriter::Header out = leg->rewriter.rewrite(in.ssrc, in.seq, in.ts);
        if (!leg->position.compare_exchange_strong(at, pack(leg->rewriter.position()), std::memory_order_release,
                                                   std::memory_order_relaxed))
            continue;  // closed meanwhile: the next leg continues from `at`
        RtpRewriter::write(packet.data, out);
        ss.route->relayRtp(MediaPacket{ss.mindex, ss.video, packet.data, packet.length});
        ss.sent.fetch_add(1, std::memory_order_relaxed);
        ++n;
    }
    if (n) {
        RtpRewriter::write(packet.data, in);  // the buffer is the core's: give it back as it came
        relayed_.fetch_add(n, std::memory_order_relaxed);
    }
}

size_t MediaRelay::incomingData(SessionId from, const char* label, bool binary, const uint8_t* data, size_t length,
                                int64_t nowUs, bool* noDataStream) noexcept {
    RcuDomain::ReadSection reading = rcu_.read();
    const Snapshot& snap = *snapshot_.load(std::memory_order_seq_cst);
    auto it = snap.publishers.find(from);
    if (it == snap.publishers.end() || it->second->dataPosition < 0) {
        if (noDataStream) *noDataStream = true;
        return 0;
    }
    const Publisher& pub = *it->second;
    if (binary && DocumentFrame::looksLikeFrame(ByteView(data, length))) {
        // A document: checked whole on the room's desk before anyone receives it (never relayed here).
        DocumentDesk* desk = desk_.load(std::memory_order_seq_cst);
        if (!desk || !desk->frame(from, pub.speaker, data, length))
            chatDropped_.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    // One participant's flood must not reach the others (nor the audit trail) at its own pace.
    if (!pub.chat->admit(nowUs)) {
        chatDropped_.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    const Fanout& fan = *pub.fanout.load(std::memory_order_seq_cst);
    const auto& legs = fan[static_cast<size_t>(pub.dataPosition)];
    auto open = [](const Leg& leg) {
        return leg.sub->send.load(std::memory_order_relaxed) &&
               !(leg.position.load(std::memory_order_relaxed) & kClosed);
    };
    size_t recipients = 0;
    for (const auto& leg : legs) recipients += open(*leg) ? 1 : 0;
    if (recipients == 0) return 0;  // a message nobody receives is not chat
    if (pub.speaker.kept) {
        // Kept chat: what the others see is exactly what is sealed. No sink yet (or a full one): dropped.
        ChatSink* sink = pub.tap->chat.load(std::memory_order_seq_cst);
        if (!sink || !sink->keep(pub.speaker, data, length, nowUs)) {
            chatUnkept_.fetch_add(1, std::memory_order_relaxed);
            chatDropped_.fetch_add(1, std::memory_order_relaxed);
            pub.chat->dropped();
            return 0;
        }
    }
    size_t n = 0;
    for (const auto& leg : legs) {
        if (!open(*leg)) continue;
        leg->sub->route->relayData(label, binary, data, length);
        ++n;
    }
    if (n > 0) {
        pub.chat->relayed(length, n);
        chatRelayed_.fetch_add(1, std::memory_order_relaxed);
    }
    return n;
}

void MediaRelay::setChatLimit(ChatMeter::Limit limit) {
    std::lock_guard lock(mutex_);
    chatLimit_ = limit;
}

ChatMeter::Counts MediaRelay::takeChat(SessionId publisher) {
    std::lock_guard lock(mutex_);
    ChatMeter::Counts c;
    if (auto left = chatLeft_.find(publisher); left != chatLeft_.end()) {
        c = left->second;
        chatLeft_.erase(left);
    }
    if (auto it = publishers_.find(publisher); it != publishers_.end()) c += it->second->chat->take();
    return c;
}

void MediaRelay::incomingRtcp(SessionId from, MediaPacket& packet) noexcept {
    // NACKs and receiver reports are the core's business; we only forward keyframe requests
    // (PSFB PLI fmt 1 / FIR fmt 4) from a subscriber to the publisher feeding that stream.
    if (!rtcpRequestsKeyframe(packet.data, packet.length)) return;
    RcuDomain::ReadSection reading = rcu_.read();
    const Snapshot& snap = *snapshot_.load(std::memory_order_seq_cst);
    auto it = snap.sources.find(from);
    if (it == snap.sources.end()) return;
    auto s = it->second.find(packet.mindex);
    if (s == it->second.end()) return;
    s->second.publisher->route->sendPli(s->second.pubMindex);
}

}  // namespace hipaa::room
