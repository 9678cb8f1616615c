// SPDX-License-Identifier: GPL-3.0-or-later
#include "LeaseKeeper.hpp"

#include "hipaa/Errors.hpp"

#include <chrono>

namespace hipaa::recorder {

LeaseKeeper::LeaseKeeper(RecordingLeases& leases, Logger log) : leases_(leases), log_(std::move(log)) {
    thread_ = std::thread([this] { loop(); });
}

LeaseKeeper::~LeaseKeeper() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::opened(const std::string& recording) {
    {
        std::lock_guard lock(mutex_);
        toOpen_.insert(recording);
        kick_ = true;
    }
    cv_.notify_all();
}

void LeaseKeeper::closed(const std::string& recording) {
    {
        std::lock_guard lock(mutex_);
        if (toOpen_.erase(recording) == 0) toClose_.insert(recording);  // never taken: nothing to give back
        kick_ = true;
    }
    cv_.notify_all();
}

size_t LeaseKeeper::pending() const {
    std::lock_guard lock(mutex_);
    return toOpen_.size();
}

void LeaseKeeper::loop() {
    const auto period = std::max(leases_.ttl() / 3, std::chrono::milliseconds(100));
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        round();
        lock.lock();
        // Woken early for a recording started or sealed; retries what failed a period later.
        cv_.wait_for(lock, period, [this] { return stopping_ || kick_; });
        kick_ = false;
    }
}

void LeaseKeeper::round() {
    std::set<std::string> open, close;
    {
        std::lock_guard lock(mutex_);
        open = toOpen_;
        close = toClose_;
    }
    try {
        if (!cleaned_) {
            leases_.releaseLeftovers();
            cleaned_ = true;
        }
        for (const auto& id : close) {
            leases_.release(id, LeaseKind::Open);
            std::lock_guard lock(mutex_);
            toClose_.erase(id);
        }
        for (const auto& id : open) {
            if (auto holder = leases_.acquire(id, LeaseKind::Open)) continue;  // busy: next round
            std::lock_guard lock(mutex_);
            // Sealed meanwhile: give it straight back next round.
            if (toOpen_.erase(id) == 0) toClose_.insert(id);
        }
        for (const auto& id : leases_.renew())
            log_.warn("recording lease of " + id + " lapsed and was taken by another instance");
        if (!reachable_.exchange(true)) log_.info("cluster store reachable: recording leases kept");
    } catch (const Error& e) {
        // Once per outage, not every round.
        if (reachable_.exchange(false) || !warned_) log_.warn(std::string("recording leases: ") + e.what());
        warned_ = true;
    }
}

}  // namespace hipaa::recorder
