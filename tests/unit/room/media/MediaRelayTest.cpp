// SPDX-License-Identifier: GPL-3.0-or-later
// MediaRelay: fan-out, rewriting on switch, pause, keyframe requests, taps and cleanup, against a
// MediaHost that records what would have gone to Janus.
#include "MediaRelay.hpp"
#include "RoomHarness.hpp"

#include <gtest/gtest.h>

#include <array>
#include <mutex>
#include <thread>

using namespace hipaa;
using namespace hipaa::room;

namespace {

using MediaRecorder = hipaa::room::test::MediaLog;  // RoomHarness.hpp

class CountingTap final : public MediaTap {
public:
    void streamAdded(const TapStream& s) noexcept override { added.push_back(s); }
    void streamRemoved(uint64_t feed, int mindex) noexcept override { removed.emplace_back(feed, mindex); }
    void rtp(uint64_t feed, int, const uint8_t* p, size_t) noexcept override {
        packets.fetch_add(1);
        lastFeed = feed;
        RtpRewriter::Header h{};
        RtpRewriter::read(p, 12, h);
        lastSsrc = h.ssrc;
    }
    std::vector<TapStream> added;
    std::vector<std::pair<uint64_t, int>> removed;
    std::atomic<int> packets{0};
    uint64_t lastFeed = 0;
    uint32_t lastSsrc = 0;
};

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

}  // namespace

TEST(MediaRelay, RelaysOnlySubscribedStreamsAndRestoresTheBuffer) {
    MediaRecorder host;
    MediaRelay relay(host);
    relay.publish(1, "r1", 100, av(), 512000, true);
    ASSERT_EQ(host.rembs.size(), 1u);
    EXPECT_EQ(host.rembs[0], std::make_pair(SessionId{1}, 512000u));
    ASSERT_TRUE(relay.subscribe(2, 100, 1, 0));  // subscriber's m=0 <- publisher video m=1
    ASSERT_EQ(host.plis.size(), 1u);             // keyframe asked for at once
    EXPECT_EQ(host.plis[0], std::make_pair(SessionId{1}, 1));
    auto a = packet(0xaaaa, 10, 1000);
    send(relay, 1, 0, false, a);  // audio: nobody subscribed
    EXPECT_TRUE(host.rtp.empty());
    auto v = packet(0xbbbb, 20, 2000);
    send(relay, 1, 1, true, v);
    ASSERT_EQ(host.rtp.size(), 1u);
    EXPECT_EQ(host.rtp[0].to, 2u);
    EXPECT_EQ(host.rtp[0].mindex, 0);
    EXPECT_TRUE(host.rtp[0].video);
    EXPECT_NE(host.rtp[0].h.ssrc, 0xbbbbu);  // the subscriber's own SSRC
    RtpRewriter::Header back{};
    RtpRewriter::read(v.data(), v.size(), back);
    EXPECT_EQ(back.ssrc, 0xbbbbu);  // the core's buffer is given back unchanged
    EXPECT_EQ(relay.relayedPackets(), 1u);
    // A non-publisher (subscriber, waiting participant) sends nothing anywhere.
    send(relay, 2, 0, true, v);
    EXPECT_EQ(host.rtp.size(), 1u);
    EXPECT_FALSE(relay.subscribe(2, 999, 0, 1));  // no such feed
    EXPECT_FALSE(relay.subscribe(1, 100, 0, 0));  // not to oneself
}

TEST(MediaRelay, SwitchingFeedsKeepsTheSubscriberStreamContinuous) {
    MediaRecorder host;
    MediaRelay relay(host);
    relay.publish(1, "r1", 100, av(), 0, true);
    relay.publish(3, "r1", 300, av(), 0, true);
    ASSERT_TRUE(relay.subscribe(2, 100, 1, 0));
    auto p1 = packet(0x1111, 500, 90000);
    send(relay, 1, 1, true, p1);
    auto p2 = packet(0x1111, 501, 93000);
    send(relay, 1, 1, true, p2);
    ASSERT_TRUE(relay.subscribe(2, 300, 1, 0));  // switch m=0 to feed 300
    send(relay, 1, 1, true, p2);                 // the old feed no longer reaches it
    auto q = packet(0x3333, 7, 42);
    send(relay, 3, 1, true, q);
    ASSERT_EQ(host.rtp.size(), 3u);
    EXPECT_EQ(host.rtp[2].h.ssrc, host.rtp[0].h.ssrc);
    EXPECT_EQ(host.rtp[2].h.seq, host.rtp[1].h.seq + 1);
    EXPECT_EQ(host.rtp[2].h.ts, host.rtp[1].h.ts + 3000);
}

TEST(MediaRelay, PauseAndPerStreamSendAndUnsubscribe) {
    MediaRecorder host;
    MediaRelay relay(host);
    relay.publish(1, "r1", 100, av(), 0, true);
    relay.subscribe(2, 100, 0, 0);
    relay.subscribe(2, 100, 1, 1);
    auto a = packet(1, 1, 1), v = packet(2, 1, 1);
    relay.setSend(2, -1, false);  // pause
    send(relay, 1, 0, false, a);
    send(relay, 1, 1, true, v);
    EXPECT_TRUE(host.rtp.empty());
    relay.setSend(2, 1, true);  // configure: video on only
    send(relay, 1, 0, false, a);
    send(relay, 1, 1, true, v);
    ASSERT_EQ(host.rtp.size(), 1u);
    EXPECT_EQ(host.rtp[0].mindex, 1);
    relay.unsubscribe(2, 1);
    send(relay, 1, 1, true, v);
    EXPECT_EQ(host.rtp.size(), 1u);
}

TEST(MediaRelay, SubscriberPliAndFirReachThePublisherStream) {
    MediaRecorder host;
    MediaRelay relay(host);
    relay.publish(1, "r1", 100, av(), 0, true);
    relay.subscribe(2, 100, 1, 3);
    host.plis.clear();
    // RR (201, 2 words) followed by PLI (PSFB 206 fmt 1, 3 words), as browsers send compound RTCP.
    std::array<uint8_t, 20> rtcp{0x80, 201, 0, 1, 0, 0, 0, 1, 0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2};
    MediaPacket m{3, true, rtcp.data(), rtcp.size()};
    relay.incomingRtcp(2, m);
    ASSERT_EQ(host.plis.size(), 1u);
    EXPECT_EQ(host.plis[0], std::make_pair(SessionId{1}, 1));
    rtcp[8] = 0x84;  // FIR
    relay.incomingRtcp(2, m);
    EXPECT_EQ(host.plis.size(), 2u);
    rtcp[8] = 0x8f;  // REMB-ish (fmt 15): not a keyframe request
    relay.incomingRtcp(2, m);
    EXPECT_EQ(host.plis.size(), 2u);
    MediaPacket other{0, true, rtcp.data(), rtcp.size()};
    rtcp[8] = 0x81;
    relay.incomingRtcp(2, other);  // m=0 is fed by nobody
    EXPECT_EQ(host.plis.size(), 2u);
    rtcp[3] = 40;  // length beyond the buffer: ignored, no overread
    relay.incomingRtcp(2, m);
    EXPECT_EQ(host.plis.size(), 2u);
}

TEST(MediaRelay, TapSeesEveryPublisherPacketOfItsRoomOnly) {
    MediaRecorder host;
    MediaRelay relay(host);
    relay.publish(1, "r1", 100, av(), 0, true);
    relay.publish(5, "r2", 500, av(), 0, true);
    auto tap = std::make_shared<CountingTap>();
    relay.setTap("r1", tap);
    ASSERT_EQ(tap->added.size(), 2u);  // existing streams announced first
    EXPECT_EQ(tap->added[1].codec, "vp8");
    EXPECT_EQ(tap->added[1].payloadType, 96);
    auto a = packet(0x77, 1, 1);
    send(relay, 1, 0, false, a);  // no subscriber: still tapped
    send(relay, 5, 0, false, a);  // other room
    EXPECT_EQ(tap->packets.load(), 1);
    EXPECT_EQ(tap->lastFeed, 100u);
    EXPECT_EQ(tap->lastSsrc, 0x77u);  // the publisher's original header
    relay.unpublish(1);
    EXPECT_EQ(tap->removed.size(), 2u);
    relay.setTap("r1", nullptr);
    relay.publish(1, "r1", 100, av(), 0, true);
    send(relay, 1, 0, false, a);
    EXPECT_EQ(tap->packets.load(), 1);
    EXPECT_EQ(relay.tap("r1"), nullptr);
}

// A feed published (or renegotiated) while the tap is already there: the tap hears of its audio and
// video only, like the streams setTap announces. A data m-line announced as an (audio, codec "") stream
// made RecordingTap ask the recorder for a stream it refuses, and the whole feed went unrecorded.
TEST(MediaRelay, TapIsNotToldOfDataStreamsPublishedWhileItIsThere) {
    MediaRecorder host;
    MediaRelay relay(host);
    auto tap = std::make_shared<CountingTap>();
    relay.setTap("r1", tap);
    auto withData = av();
    withData.push_back(RelayStream{2, false, "", 0, true});
    relay.publish(1, "r1", 100, withData, 0, true);
    ASSERT_EQ(tap->added.size(), 2u);
    EXPECT_EQ(tap->added[0].codec, "opus");
    EXPECT_EQ(tap->added[1].codec, "vp8");
    relay.publish(1, "r1", 100, withData, 0, true);  // renegotiation: removed, then added again
    EXPECT_EQ(tap->removed.size(), 2u);
    EXPECT_EQ(tap->added.size(), 4u);
    relay.unpublish(1);
    EXPECT_EQ(tap->removed.size(), 4u);
    for (const auto& [feed, mindex] : tap->removed) EXPECT_NE(mindex, 2);
}

// The recording gate: a publisher the tap may not see (a patient who has not consented) is relayed to
// subscribers but never announced to the tap nor handed to it; once allowed, streams first, then
// packets; withdrawn again, its streams are removed and packets stop.
TEST(MediaRelay, APublisherNotRecordedIsRelayedButNeverReachesTheTap) {
    MediaRecorder host;
    MediaRelay relay(host);
    relay.publish(1, "r1", 100, av(), 0, true);
    relay.publish(2, "r1", 200, av(), 0, false);
    relay.subscribe(3, 200, 0, 0);
    auto tap = std::make_shared<CountingTap>();
    relay.setTap("r1", tap);
    ASSERT_EQ(tap->added.size(), 2u);
    EXPECT_EQ(tap->added[0].feed, 100u);
    auto a = packet(0x22, 1, 1);
    send(relay, 2, 0, false, a);
    EXPECT_EQ(host.rtp.size(), 1u) << "relayed";
    EXPECT_EQ(tap->packets.load(), 0) << "not recorded";
    relay.publish(2, "r1", 200, av(), 0, false);  // renegotiation keeps it out
    EXPECT_EQ(tap->added.size(), 2u);
    EXPECT_TRUE(tap->removed.empty());

    relay.setRecorded(2, true);
    ASSERT_EQ(tap->added.size(), 4u);
    EXPECT_EQ(tap->added[2].feed, 200u);
    send(relay, 2, 0, false, a);
    EXPECT_EQ(tap->packets.load(), 1);
    EXPECT_EQ(tap->lastFeed, 200u);
    relay.setRecorded(2, true);  // no change: announced once
    EXPECT_EQ(tap->added.size(), 4u);

    relay.setRecorded(2, false);
    EXPECT_EQ(tap->removed, (std::vector<std::pair<uint64_t, int>>{{200, 0}, {200, 1}}));
    send(relay, 2, 0, false, a);
    EXPECT_EQ(tap->packets.load(), 1);
    EXPECT_EQ(host.rtp.size(), 3u) << "still relayed";
    relay.unpublish(2);
    EXPECT_EQ(tap->removed.size(), 2u) << "a stream the tap forgot is not removed twice";
    relay.setTap("r1", nullptr);
    relay.setTap("r1", tap);
    EXPECT_EQ(tap->added.size(), 6u) << "a new tap hears of publisher 1's streams only";
}

TEST(MediaRelay, RemoveSessionDropsBothRoles) {
    MediaRecorder host;
    MediaRelay relay(host);
    relay.publish(1, "r1", 100, av(), 0, true);
    relay.publish(2, "r1", 200, av(), 0, true);
    relay.subscribe(2, 100, 0, 0);
    relay.subscribe(1, 200, 0, 0);
    relay.removeSession(2);
    EXPECT_EQ(relay.publisherCount(), 1u);
    auto a = packet(1, 1, 1);
    send(relay, 1, 0, false, a);
    send(relay, 2, 0, false, a);
    EXPECT_TRUE(host.rtp.empty());
}

// Control and media threads at once (run under TSan/ASan in CI's sanitizer stage): no crash, no lost
// tap reference, the relay never uses a freed publisher.
TEST(MediaRelay, ConcurrentControlAndMedia) {
    MediaRecorder host;
    MediaRelay relay(host);
    relay.publish(1, "r1", 100, av(), 0, true);
    std::atomic<bool> stop{false};
    std::thread media([&] {
        auto p = packet(9, 0, 0);
        uint16_t seq = 0;
        while (!stop.load()) {
            RtpRewriter::write(p.data(), {9, seq++, 0});
            send(relay, 1, 0, false, p);
        }
    });
    for (int i = 0; i < 300; ++i) {
        relay.setTap("r1", std::make_shared<CountingTap>());
        relay.subscribe(2, 100, 0, 0);
        relay.setSend(2, 0, i % 2 == 0);
        relay.publish(1, "r1", 100, av(), 0, true);
        relay.removeSession(2);
        relay.setTap("r1", nullptr);
    }
    stop = true;
    media.join();
    EXPECT_EQ(relay.publisherCount(), 1u);
}
