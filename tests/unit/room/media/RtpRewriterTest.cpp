// SPDX-License-Identifier: GPL-3.0-or-later
// RtpRewriter: continuous outgoing SSRC/sequence/timestamp across source switches and wraparound.
#include "RtpRewriter.hpp"

#include <gtest/gtest.h>

#include <array>

using namespace hipaa::room;

TEST(RtpRewriter, FirstSourcePassesThroughWithOwnSsrc) {
    RtpRewriter r(0xabcdef01, 960);
    auto h = r.rewrite(0x1111, 100, 5000);
    EXPECT_EQ(h.ssrc, 0xabcdef01u);
    EXPECT_EQ(h.seq, 100);
    EXPECT_EQ(h.ts, 5000u);
    h = r.rewrite(0x1111, 101, 5960);
    EXPECT_EQ(h.seq, 101);
    EXPECT_EQ(h.ts, 5960u);
    EXPECT_EQ(r.switches(), 0u);
}

TEST(RtpRewriter, SwitchContinuesSequenceAndTimestamp) {
    RtpRewriter r(7, 3000);
    r.rewrite(0x1111, 500, 90000);
    r.rewrite(0x1111, 501, 93000);
    // A new publisher SSRC with unrelated numbering.
    auto h = r.rewrite(0x2222, 40000, 123456789);
    EXPECT_EQ(h.ssrc, 7u);
    EXPECT_EQ(h.seq, 502);
    EXPECT_EQ(h.ts, 96000u);
    h = r.rewrite(0x2222, 40001, 123456789 + 3000);
    EXPECT_EQ(h.seq, 503);
    EXPECT_EQ(h.ts, 99000u);
    EXPECT_EQ(r.switches(), 1u);
}

TEST(RtpRewriter, ResetRebasesEvenWithSameSsrc) {
    RtpRewriter r(7, 960);
    r.rewrite(0x1111, 10, 1000);
    r.reset();
    auto h = r.rewrite(0x1111, 9000, 777777);
    EXPECT_EQ(h.seq, 11);
    EXPECT_EQ(h.ts, 1960u);
}

TEST(RtpRewriter, WrapsAroundAndKeepsReorderedPacketsMapped) {
    RtpRewriter r(7, 960);
    r.rewrite(0x1, 65534, 0xfffffc40u);
    auto h = r.rewrite(0x2, 3, 10);  // switch right before the wrap
    EXPECT_EQ(h.seq, 65535);
    h = r.rewrite(0x2, 4, 970);
    EXPECT_EQ(h.seq, 0);               // wrapped
    auto late = r.rewrite(0x2, 2, 0);  // reordered older packet: same mapping, no rebase
    EXPECT_EQ(late.seq, 65534);
    h = r.rewrite(0x2, 5, 1930);
    EXPECT_EQ(h.seq, 1);
    EXPECT_EQ(r.switches(), 1u);
}

TEST(RtpRewriter, ReadsAndWritesTheFixedHeader) {
    std::array<uint8_t, 16> p{0x80, 111, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 9, 9, 9, 9};
    RtpRewriter::Header h{};
    ASSERT_TRUE(RtpRewriter::read(p.data(), p.size(), h));
    EXPECT_EQ(h.seq, 0x1234);
    EXPECT_EQ(h.ts, 0xdeadbeefu);
    EXPECT_EQ(h.ssrc, 0x01020304u);
    RtpRewriter::write(p.data(), {0xa0b0c0d0, 0xfffe, 0x11223344});
    ASSERT_TRUE(RtpRewriter::read(p.data(), p.size(), h));
    EXPECT_EQ(h.seq, 0xfffe);
    EXPECT_EQ(h.ts, 0x11223344u);
    EXPECT_EQ(h.ssrc, 0xa0b0c0d0u);
    EXPECT_EQ(p[1], 111);  // marker/payload type untouched
    EXPECT_EQ(p[12], 9);
    EXPECT_FALSE(RtpRewriter::read(p.data(), 11, h));  // too short
    p[0] = 0x40;
    EXPECT_FALSE(RtpRewriter::read(p.data(), p.size(), h));  // version 1
    p[0] = 0x80;
    p[1] = 200;  // RTCP SR
    EXPECT_FALSE(RtpRewriter::read(p.data(), p.size(), h));
}

// A subscriber stream switching feeds continues in the new feed's rewriter where the old one stopped.
TEST(RtpRewriter, ResumeContinuesAnotherRewritersStream) {
    RtpRewriter first(7, 3000);
    first.rewrite(0x1111, 500, 90000);
    first.rewrite(0x1111, 501, 93000);
    first.rewrite(0x1111, 499, 87000);  // a late packet does not move the position back
    RtpRewriter next(7, 3000);
    next.resume(first.position());
    auto h = next.rewrite(0x1111, 9000, 5);  // even the same source SSRC starts over
    EXPECT_EQ(h.ssrc, 7u);
    EXPECT_EQ(h.seq, 502);
    EXPECT_EQ(h.ts, 96000u);
    RtpRewriter fresh(7, 3000);
    fresh.resume(RtpRewriter(7, 3000).position());  // nothing sent yet: nothing to continue
    EXPECT_EQ(fresh.rewrite(0x1111, 40, 400).seq, 40);
}
