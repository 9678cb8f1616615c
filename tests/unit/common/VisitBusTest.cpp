// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/VisitBus.hpp"
#include "hipaa/VisitEvents.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

using namespace hipaa;
using namespace std::chrono_literals;

TEST(VisitBus, DeliversTypedEventsToTheirTopicOnly) {
    VisitBus bus;
    std::promise<std::string> notes;
    std::atomic<int> ended{0};
    auto s1 = bus.subscribe<NoteSubmitted>("fhir", [&](const NoteSubmitted& n) { notes.set_value(n.text); });
    auto s2 = bus.subscribe<VisitEnded>("fhir", [&](const VisitEnded&) { ++ended; });
    NoteSubmitted n;
    n.text = "note text";
    auto r = bus.publish(n);
    EXPECT_EQ(r.delivered, 1u);
    EXPECT_TRUE(r.ok());
    auto f = notes.get_future();
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(f.get(), "note text");
    s2.reset();  // drains, then joins
    EXPECT_EQ(ended.load(), 0);
}

TEST(VisitBus, SlowSubscriberNeverBlocksThePublisher) {
    VisitBus bus;
    std::promise<void> release;
    auto gate = release.get_future().share();
    auto sub = bus.subscribe<VisitEnded>(
        "slow", [gate](const VisitEnded&) { gate.wait(); }, 4);
    auto start = std::chrono::steady_clock::now();
    size_t delivered = 0, refused = 0;
    for (int i = 0; i < 50; ++i) {
        auto r = bus.publish(VisitEnded{});
        delivered += r.delivered;
        refused += r.refused;
    }
    auto elapsed = std::chrono::steady_clock::now() - start;
    // Behaviour, not timing: with the subscriber stuck, publishing still returned and refused the overflow.
    EXPECT_GE(delivered, 4u);
    EXPECT_LE(delivered, 5u);  // the queue (4) plus at most the one being handled
    EXPECT_EQ(delivered + refused, 50u);
    EXPECT_LT(elapsed, 5s);
    auto stats = bus.stats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].refused, refused);
    release.set_value();
}

TEST(VisitBus, UnsubscribeDeliversWhatWasQueued) {
    VisitBus bus;
    std::atomic<int> handled{0};
    auto sub = bus.subscribe<NoteSubmitted>("x", [&](const NoteSubmitted&) {
        std::this_thread::sleep_for(1ms);
        ++handled;
    });
    for (int i = 0; i < 20; ++i) bus.publish(NoteSubmitted{});
    sub.reset();
    EXPECT_EQ(handled.load(), 20);
    EXPECT_EQ(bus.publish(NoteSubmitted{}).delivered, 0u);  // nobody left
}

TEST(VisitBus, HandlerExceptionsAreCountedNotFatal) {
    VisitBus bus;
    auto sub = bus.subscribe<NoteSubmitted>("x", [](const NoteSubmitted&) { throw std::runtime_error("boom"); });
    bus.publish(NoteSubmitted{});
    bus.publish(NoteSubmitted{});
    for (int i = 0; i < 200 && bus.stats()[0].failed < 2; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(bus.stats()[0].failed, 2u);
}

TEST(VisitBus, InstanceIsOnePerProcess) { EXPECT_EQ(&VisitBus::instance(), &VisitBus::instance()); }
