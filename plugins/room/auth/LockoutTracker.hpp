// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Counts failures per key (a subject in a room, a Janus session) within a sliding window; `maxFailures`
// of them lock that key for a while. maxFailures <= 0: never locks. Bounded: expired keys are purged;
// when `capacity` keys are live a new key evicts one that is not locked, and when all are locked it
// is not tracked (counted in untracked(): a flood this large needs a limit in front of Janus).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace hipaa::room {

class LockoutTracker {
public:
    static constexpr size_t kDefaultCapacity = 100000;
    LockoutTracker(int maxFailures, int64_t windowS, int64_t lockS, size_t capacity = kDefaultCapacity)
        : maxFailures_(maxFailures), windowS_(windowS), lockS_(lockS), capacity_(capacity) {}
    bool locked(const std::string& key, int64_t now) const;
    // Counts a failure; true when this one starts a lockout.
    bool recordFailure(const std::string& key, int64_t now);
    void clear(const std::string& key) { keys_.erase(key); }
    // Keys starting with `prefix` locked at `now`.
    size_t lockedCount(const std::string& prefix, int64_t now) const;
    size_t size() const { return keys_.size(); }
    uint64_t untracked() const { return untracked_; }

private:
    struct State {
        std::deque<int64_t> failures;
        int64_t lockedUntil = 0;
    };
    void purge(int64_t now);
    int maxFailures_;
    int64_t windowS_, lockS_;
    size_t capacity_;
    int64_t nextPurge_ = 0;
    uint64_t untracked_ = 0;
    std::unordered_map<std::string, State> keys_;
};

}  // namespace hipaa::room
