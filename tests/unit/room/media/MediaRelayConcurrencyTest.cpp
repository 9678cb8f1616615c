// SPDX-License-Identifier: GPL-3.0-or-later
// MediaRelay under concurrency: feed switches while both feeds send, and subscriptions churning while
// publishers send, against hosts that model Janus' handles. No RoomHarness here, so that this file also
// builds into unit_room_media_tsan (ThreadSanitizer; see tests/unit/room/media/CMakeLists.txt).
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "MediaRelay.hpp"

using namespace hipaa;
using namespace hipaa::room;

namespace {

std::array<uint8_t, 20> packet(uint32_t ssrc, uint16_t seq, uint32_t ts) {
    std::array<uint8_t, 20> p{};
    p[0] = 0x80;
    p[1] = 96;
    RtpRewriter::write(p.data(), {ssrc, seq, ts});
    return p;
}

void send(MediaRelay& r, SessionId from, int mindex, bool video, std::array<uint8_t, 20>& p) {
    MediaPacket mp{mindex, video, p.data(), p.size()};
    r.incomingRtp(from, mp);
}

std::vector<RelayStream> av() { return {{0, false, "opus", 111}, {1, true, "vp8", 96}}; }

// Records the header of every RTP packet relayed, and to whom.
class SentLog final : public MediaHost {
public:
    bool pushEvent(SessionId, const std::string&, const json_t*, const json_t*) override { return true; }
    void notifyEvent(SessionId, const json_t*) override {}
    bool eventsEnabled() const override { return false; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}
    void relayRtp(SessionId s, const MediaPacket& p) override {
        RtpRewriter::Header h{};
        RtpRewriter::read(p.data, p.length, h);
        std::lock_guard l(m);
        rtp.push_back({s, h});
    }
    struct Sent {
        SessionId to;
        RtpRewriter::Header h;
    };
    std::mutex m;
    std::vector<Sent> rtp;
};

}  // namespace

// A subscriber stream switched back and forth between two feeds while both keep sending on their own
// media threads: the outgoing stream never repeats a sequence number (the old feed's thread, still
// holding the fanout it loaded, cannot send once the switch read where it stopped).
TEST(MediaRelay, SwitchingWhileBothFeedsSendNeverRepeatsASequenceNumber) {
    SentLog host;
    MediaRelay relay(host);
    relay.publish(1, "r1", 100, av(), 0, true);
    relay.publish(3, "r1", 300, av(), 0, true);
    ASSERT_TRUE(relay.subscribe(2, 100, 1, 0));
    // 2 x 30000 packets at most reach the subscriber: fewer than the 65536 sequence numbers.
    std::atomic<int> feeding{2};
    auto feed = [&](SessionId from, uint32_t ssrc) {
        auto p = packet(ssrc, 0, 0);
        for (uint16_t seq = 1; seq <= 30000; ++seq) {
            RtpRewriter::write(p.data(), {ssrc, seq, seq * 3000u});
            send(relay, from, 1, true, p);
            if (seq % 4 == 0) std::this_thread::yield();  // let the switches in
        }
        feeding.fetch_sub(1);
    };
    std::thread a(feed, 1, 0xa), b(feed, 3, 0xb);
    int switches = 0;
    for (; feeding.load() == 2; ++switches) {
        ASSERT_TRUE(relay.subscribe(2, switches % 2 ? 100 : 300, 1, 0));
        if (switches % 64 == 0) relay.reclaim();
    }
    a.join();
    b.join();
    std::lock_guard l(host.m);
    EXPECT_GT(switches, 10);
    ASSERT_GT(host.rtp.size(), 0u);
    std::set<uint16_t> seqs;
    for (const auto& sent : host.rtp) {
        ASSERT_EQ(sent.to, 2u);
        ASSERT_EQ(sent.h.ssrc, host.rtp[0].h.ssrc);
        ASSERT_TRUE(seqs.insert(sent.h.seq).second) << "sequence number " << sent.h.seq << " sent twice";
    }
}

namespace {

// Janus' side of a handle, as far as the relay can tell: the core's reference, the `stopped` flag it
// sets before hangup/destroy, and the memory that goes when the last reference does (here only marked,
// so a late use is counted instead of being undefined behaviour).
struct FakeJanusHandle {
    std::atomic<int> refs{1};
    std::atomic<bool> stopped{false}, freed{false};
    void unref() {
        if (refs.fetch_sub(1) == 1) freed = true;
    }
};

class HandleHost final : public MediaHost {
public:
    explicit HandleHost(size_t sessions) : handles(sessions) {}
    bool pushEvent(SessionId, const std::string&, const json_t*, const json_t*) override { return true; }
    void notifyEvent(SessionId, const json_t*) override {}
    bool eventsEnabled() const override { return false; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}
    std::unique_ptr<MediaRoute> route(SessionId s) override {
        FakeJanusHandle& h = handles.at(s);
        if (h.stopped || h.freed) return nullptr;
        h.refs.fetch_add(1);
        return std::make_unique<Route>(*this, h);
    }
    // Janus ending a session: stopped, destroy_session (the relay forgets it), the core's reference.
    void end(MediaRelay& relay, SessionId s) {
        handles[s].stopped = true;
        relay.removeSession(s);
        handles[s].unref();
    }
    void markMediaThread() {
        std::lock_guard l(m);
        mediaThreads.insert(std::this_thread::get_id());
    }

    std::vector<FakeJanusHandle> handles;
    std::atomic<long> delivered{0}, toStopped{0}, toFreed{0}, droppedOnMediaThread{0};
    std::mutex m;
    std::set<std::thread::id> mediaThreads;

private:
    class Route final : public MediaRoute {
    public:
        Route(HandleHost& host, FakeJanusHandle& h) : host_(host), h_(h) {}
        ~Route() override {
            {
                std::lock_guard l(host_.m);
                if (host_.mediaThreads.contains(std::this_thread::get_id())) host_.droppedOnMediaThread.fetch_add(1);
            }
            h_.unref();
        }
        void relayRtp(const MediaPacket&) noexcept override { use(); }
        void relayData(const char*, bool, const uint8_t*, size_t) noexcept override { use(); }
        void sendPli(int) noexcept override { use(); }
        void sendRemb(uint32_t) noexcept override { use(); }

    private:
        void use() noexcept {
            auto& counter = h_.freed ? host_.toFreed : h_.stopped ? host_.toStopped : host_.delivered;
            counter.fetch_add(1);
        }
        HandleHost& host_;
        FakeJanusHandle& h_;
    };
};

}  // namespace

// Four publishers sending on their own media threads (RTP, and subscribers' PLIs on a fifth) while the
// control thread keeps creating subscriber sessions, subscribing, switching, pausing, unsubscribing,
// renegotiating publishers, ending sessions as Janus does and reclaiming: no packet ever reaches a
// handle whose memory is gone, no handle reference is dropped on a media thread, and once the relay
// is gone every handle's references are back to what Janus holds.
TEST(MediaRelay, NoPacketReachesAFreedHandleWhileSubscriptionsChurn) {
    constexpr SessionId kPublishers = 4, kFirstSub = 10, kSessions = 1200;
    HandleHost host(kSessions);
    {
        MediaRelay relay(host);
        for (SessionId p = 1; p <= kPublishers; ++p) relay.publish(p, "r1", 100 + p, av(), 256000, false);
        std::atomic<bool> stop{false};
        std::vector<std::thread> media;
        for (SessionId p = 1; p <= kPublishers; ++p)
            media.emplace_back([&, p] {
                host.markMediaThread();
                auto pk = packet(static_cast<uint32_t>(p), 0, 0);
                for (uint16_t seq = 0; !stop.load(); ++seq) {
                    RtpRewriter::write(pk.data(), {static_cast<uint32_t>(p), seq, seq * 960u});
                    send(relay, p, seq % 2, seq % 2 == 1, pk);
                }
            });
        media.emplace_back([&] {
            host.markMediaThread();
            std::array<uint8_t, 12> pli{0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2};
            for (SessionId s = kFirstSub; !stop.load(); s = s + 1 < kSessions ? s + 1 : kFirstSub) {
                MediaPacket m{1, true, pli.data(), pli.size()};
                relay.incomingRtcp(s, m);
            }
        });
        while (host.delivered.load() == 0) std::this_thread::yield();  // media flows (REMB) before the churn
        std::mt19937 rng(7);
        std::vector<SessionId> live;
        for (SessionId s = kFirstSub; s < kSessions; ++s) {
            live.push_back(s);
            for (int m = 0; m < 2; ++m) relay.subscribe(s, 100 + 1 + rng() % kPublishers, m, m);
            SessionId other = live[rng() % live.size()];
            SessionId pub = 1 + rng() % kPublishers;
            int what = static_cast<int>(rng() % 6);
            if (what == 0) relay.subscribe(other, 100 + pub, 1, 1);  // a switch
            if (what == 1) relay.unsubscribe(other, 0);
            if (what == 2) relay.setSend(other, -1, rng() % 2 == 0);
            if (what == 3) relay.publish(pub, "r1", 100 + pub, av(), 256000, false);  // renegotiation
            // Janus ends the oldest session.
            if (live.size() > 12) {
                host.end(relay, live.front());
                live.erase(live.begin());
            }
            if (s % 8 == 0) relay.reclaim();
        }
        for (SessionId s : live) host.end(relay, s);
        stop = true;
        for (auto& t : media) t.join();
        relay.reclaim();
        for (SessionId p = 1; p <= kPublishers; ++p) host.end(relay, p);
    }
    EXPECT_GT(host.delivered.load(), 0);
    EXPECT_EQ(host.toFreed.load(), 0) << "packets sent to a handle after its memory was freed";
    EXPECT_EQ(host.droppedOnMediaThread.load(), 0) << "handle references dropped on a media thread";
    for (SessionId s = 1; s < kSessions; ++s) {
        if (s > kPublishers && s < kFirstSub) continue;
        EXPECT_EQ(host.handles[s].refs.load(), 0) << "session " << s;
        EXPECT_TRUE(host.handles[s].freed.load()) << "session " << s;
    }
}
