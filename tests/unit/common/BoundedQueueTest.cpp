// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/BoundedQueue.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace hipaa;
using namespace std::chrono_literals;

TEST(BoundedQueue, RefusesWhenFullAndDrainsAfterClose) {
    BoundedQueue<int> q(3);
    EXPECT_TRUE(q.push(1));
    EXPECT_TRUE(q.push(2));
    EXPECT_TRUE(q.push(3));
    EXPECT_FALSE(q.push(4));
    q.close();
    EXPECT_FALSE(q.push(5));
    std::vector<int> out;
    EXPECT_TRUE(q.popBatch(out, 2, 0ms));
    EXPECT_EQ(out, (std::vector<int>{1, 2}));
    EXPECT_TRUE(q.popBatch(out, 10, 0ms));
    EXPECT_EQ(out.size(), 3u);
    EXPECT_FALSE(q.popBatch(out, 10, 0ms));  // closed and drained
}

TEST(BoundedQueue, ConsumerWakesOnPush) {
    BoundedQueue<int> q(10);
    std::thread producer([&] {
        std::this_thread::sleep_for(20ms);
        q.push(7);
    });
    std::vector<int> out;
    EXPECT_TRUE(q.popBatch(out, 10, 5s));
    producer.join();
    EXPECT_EQ(out, std::vector<int>{7});
}
