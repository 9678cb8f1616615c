// SPDX-License-Identifier: GPL-3.0-or-later
#include "RtcpKeyframeRequest.hpp"

#include <gtest/gtest.h>

#include <vector>

using hipaa::room::rtcpRequestsKeyframe;

namespace {

using Bytes = std::vector<uint8_t>;
// One RTCP packet: version 2, `fmt`, `pt`, length from `body` (a multiple of 4 bytes).
Bytes packet(uint8_t fmt, uint8_t pt, Bytes body) {
    size_t words = (4 + body.size()) / 4 - 1;
    Bytes p{static_cast<uint8_t>(0x80 | fmt), pt, static_cast<uint8_t>(words >> 8), static_cast<uint8_t>(words)};
    p.insert(p.end(), body.begin(), body.end());
    return p;
}
Bytes operator+(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
bool asks(const Bytes& b) { return rtcpRequestsKeyframe(b.data(), b.size()); }

const Bytes kSsrcs(8, 0x11);
const Bytes kRr = packet(1, 201, Bytes(28, 0));
const Bytes kPli = packet(1, 206, kSsrcs);
const Bytes kFir = packet(4, 206, kSsrcs + Bytes(8, 0));
const Bytes kRemb = packet(15, 206, kSsrcs + Bytes{'R', 'E', 'M', 'B', 1, 0, 0, 0, 0, 0, 0, 0});
const Bytes kNack = packet(1, 205, kSsrcs + Bytes(4, 0));

}  // namespace

TEST(RtcpKeyframeRequest, PliAndFirAnywhereInTheCompound) {
    EXPECT_TRUE(asks(kPli));
    EXPECT_TRUE(asks(kFir));
    EXPECT_TRUE(asks(kRr + kPli));
    EXPECT_TRUE(asks(kRr + kNack + kFir));
    EXPECT_FALSE(asks(kRr));
    EXPECT_FALSE(asks(kRr + kNack + kRemb));  // REMB is PSFB too, but FMT 15
}

TEST(RtcpKeyframeRequest, StopsAtWhatIsNotRtcpOrDoesNotFit) {
    Bytes compound = kRr + kPli;
    EXPECT_FALSE(rtcpRequestsKeyframe(compound.data(), compound.size() - 1));  // the PLI is cut short
    Bytes badVersion = compound;
    badVersion[0] = 0x40;
    EXPECT_FALSE(asks(badVersion));
    Bytes lying = kPli;
    lying[3] = 0xff;  // claims 1 KiB
    EXPECT_FALSE(asks(lying));
    EXPECT_FALSE(rtcpRequestsKeyframe(nullptr, 12));
    EXPECT_FALSE(asks({}));
    EXPECT_FALSE(asks({0x81, 206, 0}));
}
