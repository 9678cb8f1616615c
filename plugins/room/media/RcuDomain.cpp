// SPDX-License-Identifier: GPL-3.0-or-later
#include "RcuDomain.hpp"

#include <pthread.h>

#include <chrono>
#include <iterator>
#include <thread>

namespace hipaa::room {
namespace {

// Media threads spread over the stripes by their pthread id (no thread-local state to set up or tear
// down in a module Janus loads and unloads). Two threads sharing a stripe only share a cache line.
size_t stripeOfThisThread(size_t stripes) noexcept {
    auto id = static_cast<uint64_t>(pthread_self());
    return static_cast<size_t>(((id >> 12) * 0x9E3779B97F4A7C15ull) >> 32) % stripes;
}

}  // namespace

RcuDomain::~RcuDomain() { synchronize(); }

// Why a reader is safe (all orders seq_cst): it counts itself in epoch e, then checks the epoch is
// still e. A writer flips the epoch after unpublishing, then reads the old epoch's counters. If the
// writer's read misses the reader's count, that count came later, so the reader's check sees the flip
// and retries (or, counted in the new epoch, loads what was published before the flip).
RcuDomain::ReadSection RcuDomain::read() const noexcept {
    const size_t stripe = stripeOfThisThread(kStripes);
    for (;;) {
        uint64_t e = epoch_.load(std::memory_order_seq_cst);
        std::atomic<uint64_t>& count = counts_[e & 1][stripe].readers;
        count.fetch_add(1, std::memory_order_seq_cst);
        if (epoch_.load(std::memory_order_seq_cst) == e) return ReadSection(&count);
        count.fetch_sub(1, std::memory_order_release);
    }
}

uint64_t RcuDomain::readers(unsigned parity) const noexcept {
    uint64_t n = 0;
    for (const Counter& c : counts_[parity]) n += c.readers.load(std::memory_order_seq_cst);
    return n;
}

void RcuDomain::retire(std::shared_ptr<const void> garbage) {
    if (!garbage) return;
    std::lock_guard lock(mutex_);
    sinceFlip_.push_back(std::move(garbage));
}

size_t RcuDomain::reclaim() {
    std::vector<std::shared_ptr<const void>> freed;
    {
        std::lock_guard lock(mutex_);
        // An epoch flips only when the other one has no reader left, so a reader is never counted in
        // an epoch two flips old: once the epoch before the last flip is empty, nothing retired before
        // that flip is reachable.
        for (int round = 0; round < 2; ++round) {
            uint64_t e = epoch_.load(std::memory_order_seq_cst);
            if (readers(static_cast<unsigned>((e + 1) & 1)) != 0) break;
            freed.insert(freed.end(), std::make_move_iterator(beforeFlip_.begin()),
                         std::make_move_iterator(beforeFlip_.end()));
            beforeFlip_.clear();
            if (sinceFlip_.empty()) break;
            beforeFlip_.swap(sinceFlip_);
            epoch_.store(e + 1, std::memory_order_seq_cst);
        }
    }
    return freed.size();  // the last references go here, outside the lock
}

void RcuDomain::synchronize() {
    while (reclaim(), pending() > 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
}

size_t RcuDomain::pending() const {
    std::lock_guard lock(mutex_);
    return beforeFlip_.size() + sinceFlip_.size();
}

}  // namespace hipaa::room
