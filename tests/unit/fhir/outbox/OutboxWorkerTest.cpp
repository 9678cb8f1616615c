// SPDX-License-Identifier: GPL-3.0-or-later
#include "OutboxWorker.hpp"

#include <gtest/gtest.h>

using namespace hipaa::fhir;

TEST(OutboxWorker, BackoffDoublesIsCappedAndJittered) {
    OutboxWorker::Options o;
    o.backoffInitialMs = 1000;
    o.backoffMaxMs = 10000;
    EXPECT_EQ(OutboxWorker::backoffMs(o, 1, 0), 500);  // [d/2, d] with d = 1000
    EXPECT_EQ(OutboxWorker::backoffMs(o, 1, 500), 1000);
    EXPECT_EQ(OutboxWorker::backoffMs(o, 2, 1001), 1000);  // d = 2000: 1000 + 1001 % 1001
    EXPECT_EQ(OutboxWorker::backoffMs(o, 4, 4000), 8000);  // d = 8000
    for (int attempt = 5; attempt < 100; ++attempt) {
        int64_t d = OutboxWorker::backoffMs(o, attempt, 123456789);
        EXPECT_GE(d, 5000);
        EXPECT_LE(d, 10000);
    }
}
