#include "MediaRelay.hpp"

#include "RtcpKeyframeRequest.hpp"

#include "hipaa/Clock.hpp"

#include <chrono>

namespace hipaa::room {
namespace {

// Browsers lower their own estimate only while REMB keeps coming: repeat the cap this often.
constexpr int64_t kRembEveryUs = 2000000;

}  // namespace

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
    publishersSnap_.store(std::make_shared<const PublisherMap>(publishers_), std::memory_order_release);
    sourcesSnap_.store(std::make_shared<const SourceMap>(sources_), std::memory_order_release);
}

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
    // Media threads load the slot atomically; the old tap lives until the last of them drops it.
    slot->tap.store(std::move(tap), std::memory_order_release);
}

std::shared_ptr<MediaTap> MediaRelay::tap(const std::string& room) const {
    std::lock_guard lock(mutex_);
    auto it = taps_.find(room);
    return it == taps_.end() ? nullptr : it->second->tap.load(std::memory_order_acquire);
}

void MediaRelay::publish(SessionId session, const std::string& room, uint64_t feed, std::vector<RelayStream> streams,
                         uint32_t rembBps, bool recorded) {
    {
        std::lock_guard lock(mutex_);
        auto pub = std::make_shared<Publisher>();
        pub->session = session;
        pub->feed = feed;
        pub->room = room;
        pub->streams = std::move(streams);
        pub->tap = slotLocked(room);
        pub->rembBps = rembBps;
        pub->muted = std::make_unique<std::atomic<bool>[]>(pub->streams.size());
        for (size_t i = 0; i < pub->streams.size(); ++i) {
            pub->muted[i].store(pub->streams[i].muted);
            if (pub->streams[i].data) pub->dataPosition = static_cast<int>(i);
        }
        auto fanout = std::make_shared<Fanout>(pub->streams.size());
        pub->chat = std::make_shared<ChatMeter>(chatLimit_);
        if (auto old = publishers_.find(session); old != publishers_.end()) {
            // Renegotiation: keep the subscribers of streams that still exist (and the chat limit's state).
            auto prev = old->second->fanout.load();
            pub->packets.store(old->second->packets.load());
            pub->chat = old->second->chat;
            for (size_t i = 0; i < old->second->streams.size(); ++i) {
                int pos = pub->position(old->second->streams[i].mindex);
                if (pos >= 0) (*fanout)[static_cast<size_t>(pos)] = (*prev)[i];
            }
            // A media thread may still hold the old publisher for a packet: it stops feeding the tap
            // first, then the tap forgets its streams (the new ones are announced below).
            if (old->second->recorded.exchange(false))
                if (auto t = old->second->tap->tap.load()) withdrawLocked(*old->second, *t);
        }
        pub->fanout.store(std::move(fanout));
        if (auto t = pub->tap->tap.load(); t && recorded) announceLocked(*pub, *t);
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
    auto pub = it->second;
    publishers_.erase(it);
    if (ChatMeter::Counts c = pub->chat->take(); !c.empty()) chatLeft_[session] += c;
    // Subscriber streams it fed stop being fed (their SubStream stays for a later subscribe).
    for (auto& [sub, bySub] : sources_)
        for (auto s = bySub.begin(); s != bySub.end();) s = s->second.publisher == session ? bySub.erase(s) : std::next(s);
    if (pub->recorded.exchange(false))
        if (auto t = pub->tap->tap.load()) withdrawLocked(*pub, *t);
    publishMapsLocked();
}

void MediaRelay::setRecorded(SessionId session, bool recorded) {
    std::lock_guard lock(mutex_);
    auto it = publishers_.find(session);
    if (it == publishers_.end()) return;
    Publisher& pub = *it->second;
    if (recorded) {
        if (pub.recorded.load()) return;
        // Streams first, then packets: the tap never sees a packet of a stream it was not told of.
        if (auto t = pub.tap->tap.load()) announceLocked(pub, *t);
        pub.recorded.store(true, std::memory_order_release);
    } else if (pub.recorded.exchange(false, std::memory_order_acq_rel)) {
        // Packets stop first; a media thread past the check hands the tap one more packet of a
        // stream it is about to forget (the tap drops and counts it as unknown).
        if (auto t = pub.tap->tap.load()) withdrawLocked(pub, *t);
    }
}

void MediaRelay::detachLocked(SessionId subscriber, int subMindex) {
    auto sit = sources_.find(subscriber);
    if (sit == sources_.end()) return;
    auto src = sit->second.find(subMindex);
    if (src == sit->second.end()) return;
    auto key = std::make_pair(subscriber, subMindex);
    if (auto pit = publishers_.find(src->second.publisher); pit != publishers_.end()) {
        auto& pub = *pit->second;
        int pos = pub.position(src->second.pubMindex);
        auto fan = std::make_shared<Fanout>(*pub.fanout.load());
        if (pos >= 0) {
            auto& v = (*fan)[static_cast<size_t>(pos)];
            std::erase_if(v, [&](const auto& ss) { return ss == subStreams_[key]; });
        }
        pub.fanout.store(std::move(fan));
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
        detachLocked(subscriber, subMindex);
        auto key = std::make_pair(subscriber, subMindex);
        auto& ss = subStreams_[key];
        bool video = pub->streams[static_cast<size_t>(pos)].video;
        if (!ss || ss->video != video)
            ss = std::make_shared<SubStream>(subscriber, subMindex, video, nextSsrc_.fetch_add(0x01010101u));
        else
            ss->rebase.store(true);  // a switch: the next packet rebases sequence numbers and timestamps
        auto fan = std::make_shared<Fanout>(*pub->fanout.load());
        (*fan)[static_cast<size_t>(pos)].push_back(ss);
        pub->fanout.store(std::move(fan));
        sources_[subscriber][subMindex] = Source{pub->session, pubMindex};
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
    subStreams_.erase({subscriber, subMindex});
    publishMapsLocked();
}

void MediaRelay::setSend(SessionId subscriber, int subMindex, bool send) {
    std::lock_guard lock(mutex_);
    for (auto it = subStreams_.lower_bound({subscriber, INT32_MIN}); it != subStreams_.end() && it->first.first == subscriber;
         ++it)
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
    std::erase_if(subStreams_, [&](const auto& kv) { return kv.first.first == session; });
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
            if (pos >= 0 && pit->second->streams[static_cast<size_t>(pos)].video) asks.emplace_back(src.publisher, src.pubMindex);
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
    auto pubs = publishersSnap_.load(std::memory_order_acquire);
    auto it = pubs->find(publisher);
    return it == pubs->end() ? 0 : it->second->packets.load(std::memory_order_relaxed);
}

uint64_t MediaRelay::packetsTo(SessionId subscriber) const {
    std::lock_guard lock(mutex_);
    uint64_t n = 0;
    for (auto it = subStreams_.lower_bound({subscriber, INT32_MIN}); it != subStreams_.end() && it->first.first == subscriber;
         ++it)
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
    auto pubs = publishersSnap_.load(std::memory_order_acquire);
    auto it = pubs->find(from);
    if (it == pubs->end()) return;  // not publishing (waiting, subscriber, unpublished): dropped
    Publisher& pub = *it->second;
    int pos = pub.position(packet.mindex);
    if (pos < 0) return;
    pub.packets.fetch_add(1, std::memory_order_relaxed);
    if (pub.muted[static_cast<size_t>(pos)].load(std::memory_order_relaxed)) return;
    if (pub.rembBps && packet.video) {
        int64_t now = Clock::monotonicUs(), last = pub.lastRembUs.load(std::memory_order_relaxed);
        if (now - last >= kRembEveryUs && pub.lastRembUs.compare_exchange_strong(last, now))
            host_.sendRemb(pub.session, pub.rembBps);
    }
    if (pub.recorded.load(std::memory_order_acquire))
        if (auto t = pub.tap->tap.load(std::memory_order_acquire)) t->rtp(pub.feed, packet.mindex, packet.data, packet.length);
    auto fan = pub.fanout.load(std::memory_order_acquire);
    uint64_t n = 0;
    for (const auto& ss : (*fan)[static_cast<size_t>(pos)]) {
        if (!ss->send.load(std::memory_order_relaxed)) continue;
        while (ss->busy.test_and_set(std::memory_order_acquire)) {
        }
        if (ss->rebase.exchange(false, std::memory_order_acq_rel)) ss->rewriter.reset();
        RtpRewriter::Header outHeader = ss->rewriter.rewrite(in.ssrc, in.seq, in.ts);
        ss->busy.clear(std::memory_order_release);
        RtpRewriter::write(packet.data, outHeader);
        host_.relayRtp(ss->session, MediaPacket{ss->mindex, ss->video, packet.data, packet.length});
        ss->sent.fetch_add(1, std::memory_order_relaxed);
        ++n;
    }
    if (n) {
        RtpRewriter::write(packet.data, in);  // the buffer is the core's: give it back as it came
        relayed_.fetch_add(n, std::memory_order_relaxed);
    }
}

size_t MediaRelay::incomingData(SessionId from, const char* label, bool binary, const uint8_t* data,
                                size_t length, int64_t nowUs) noexcept {
    auto pubs = publishersSnap_.load(std::memory_order_acquire);
    auto it = pubs->find(from);
    if (it == pubs->end() || it->second->dataPosition < 0) return 0;
    const Publisher& pub = *it->second;
    // One participant's flood must not reach the others (nor the audit trail) at its own pace.
    if (!pub.chat->admit(nowUs)) {
        chatDropped_.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    auto fan = pub.fanout.load(std::memory_order_acquire);
    size_t n = 0;
    for (const auto& ss : (*fan)[static_cast<size_t>(pub.dataPosition)]) {
        if (!ss->send.load(std::memory_order_relaxed)) continue;
        host_.relayData(ss->session, label, binary, data, length);
        ++n;
    }
    if (n > 0) {  // a message nobody receives is not chat
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
    auto srcs = sourcesSnap_.load(std::memory_order_acquire);
    auto it = srcs->find(from);
    if (it == srcs->end()) return;
    auto s = it->second.find(packet.mindex);
    if (s == it->second.end()) return;
    host_.sendPli(s->second.publisher, s->second.pubMindex);
}

}  // namespace hipaa::room
