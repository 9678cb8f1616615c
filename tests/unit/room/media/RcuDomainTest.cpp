// SPDX-License-Identifier: GPL-3.0-or-later
// RcuDomain: what a reader may still hold is not freed; what no reader can hold is, without waiting;
// readers and a writer at full speed never meet a freed snapshot (also run under TSan: see
// docs/room.md "Media path").
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "RcuDomain.hpp"

using namespace hipaa::room;

namespace {

// A snapshot whose "free" is recorded instead of done, so a reader that still uses it is caught
// without touching freed memory (ASan catches the real thing in the sanitizer build).
struct Node {
    explicit Node(size_t i) : id(i) {}
    size_t id;
};

struct Graveyard {
    explicit Graveyard(size_t n) : freed(n), nodes(n) {}
    std::vector<std::atomic<bool>> freed;
    std::vector<std::unique_ptr<Node>> nodes;  // the memory stays until the test ends
    std::shared_ptr<const Node> make(size_t id) {
        nodes[id] = std::make_unique<Node>(id);
        return std::shared_ptr<const Node>(nodes[id].get(), [this](const Node* n) { freed[n->id].store(true); });
    }
};

}  // namespace

TEST(RcuDomain, WhatAReaderMayHoldOutlivesItsReadSection) {
    RcuDomain rcu;
    Graveyard g(2);
    auto first = g.make(0);
    std::atomic<const Node*> current{first.get()};
    {
        RcuDomain::ReadSection r = rcu.read();
        const Node* seen = current.load();
        auto second = g.make(1);
        current.store(second.get());
        rcu.retire(std::move(first));
        rcu.retire(std::move(second));  // retired right away: only the old snapshot matters here
        EXPECT_EQ(rcu.reclaim(), 0u);
        EXPECT_FALSE(g.freed[0].load()) << "freed while a reader holds it";
        EXPECT_EQ(seen->id, 0u);
    }
    EXPECT_EQ(rcu.reclaim(), 2u);
    EXPECT_TRUE(g.freed[0].load());
    EXPECT_TRUE(g.freed[1].load());
    EXPECT_EQ(rcu.pending(), 0u);
}

TEST(RcuDomain, WithoutReadersReclaimFreesAtOnce) {
    RcuDomain rcu;
    Graveyard g(3);
    rcu.retire(g.make(0));
    EXPECT_EQ(rcu.reclaim(), 1u);
    { RcuDomain::ReadSection r = rcu.read(); }
    rcu.retire(g.make(1));
    rcu.retire(g.make(2));
    EXPECT_EQ(rcu.reclaim(), 2u);
    EXPECT_EQ(rcu.reclaim(), 0u);
}

// A reader that started before a retire holds it back across any number of reclaims, also from
// another thread; the writer never waits for it.
TEST(RcuDomain, ASlowReaderOnAnotherThreadHoldsBackOnlyWhatItMaySee) {
    RcuDomain rcu;
    Graveyard g(3);
    std::atomic<int> phase{0};
    std::thread reader([&] {
        RcuDomain::ReadSection r = rcu.read();
        phase = 1;
        while (phase.load() != 2) std::this_thread::yield();
    });
    while (phase.load() != 1) std::this_thread::yield();
    rcu.retire(g.make(0));
    for (int i = 0; i < 5; ++i) EXPECT_EQ(rcu.reclaim(), 0u);
    EXPECT_FALSE(g.freed[0].load());
    phase = 2;
    reader.join();
    EXPECT_EQ(rcu.reclaim(), 1u);
}

// One writer publishing, retiring and reclaiming as fast as it can, four readers loading and checking
// the current snapshot: no reader ever sees one that was freed.
TEST(RcuDomain, ReadersNeverSeeAFreedSnapshotUnderChurn) {
    constexpr size_t kSnapshots = 20000;
    RcuDomain rcu;
    Graveyard g(kSnapshots);
    auto owner = g.make(0);
    std::atomic<const Node*> current{owner.get()};
    std::atomic<bool> stop{false};
    std::atomic<long> reads{0}, violations{0};
    std::atomic<int> running{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t)
        readers.emplace_back([&] {
            long n = 0;
            running.fetch_add(1);
            while (!stop.load(std::memory_order_relaxed)) {
                RcuDomain::ReadSection r = rcu.read();
                const Node* s = current.load();
                for (int spin = 0; spin < 8; ++spin)
                    if (g.freed[s->id].load()) violations.fetch_add(1);
                ++n;
            }
            reads.fetch_add(n);
        });
    while (running.load() < 4) std::this_thread::yield();
    size_t freed = 0;
    for (size_t i = 1; i < kSnapshots; ++i) {
        auto next = g.make(i);
        current.store(next.get());
        rcu.retire(std::exchange(owner, std::move(next)));
        if (i % 16 == 0) freed += rcu.reclaim();
    }
    // Readers leave their sections all the time, so reclaim gets through while they keep reading
    // (on a loaded machine a reader may sit preempted inside one for a while: give it seconds).
    for (int i = 0; freed == 0 && i < 5000; ++i) {
        freed += rcu.reclaim();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    stop = true;
    for (auto& t : readers) t.join();
    rcu.synchronize();
    EXPECT_EQ(violations.load(), 0);
    EXPECT_GT(reads.load(), 0);
    EXPECT_GT(freed, 0u) << "reclaim never freed anything while readers ran";
    EXPECT_EQ(rcu.pending(), 0u);
    for (size_t i = 0; i + 1 < kSnapshots; ++i) EXPECT_TRUE(g.freed[i].load()) << i;
}
