// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <thread>

#include "hipaa/Clock.hpp"

using namespace hipaa;

TEST(Clock, WallTimeIsSinceTheEpochInEachUnit) {
    int64_t s = Clock::wallSeconds(), ms = Clock::wallMs(), us = Clock::wallUs();
    EXPECT_GT(s, 1700000000);  // after 2023-11-14
    EXPECT_LE(ms / 1000 - s, 1);
    EXPECT_LE(us / 1000 - ms, 1000);
    EXPECT_GE(us / 1000, ms);
}

TEST(Clock, MonotonicTimeNeverGoesBackAndAgreesAcrossUnits) {
    int64_t us = Clock::monotonicUs(), ms = Clock::monotonicMs();
    EXPECT_GE(ms, us / 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GE(Clock::monotonicUs() - us, 20000);
    EXPECT_GE(Clock::monotonicMs() - ms, 20);
}
