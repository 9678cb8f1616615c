// SPDX-License-Identifier: GPL-3.0-or-later
#include "LockoutTracker.hpp"

#include <algorithm>

namespace hipaa::room {

bool LockoutTracker::locked(const std::string& key, int64_t now) const {
    auto it = keys_.find(key);
    return it != keys_.end() && it->second.lockedUntil > now;
}

void LockoutTracker::purge(int64_t now) {
    std::erase_if(keys_, [&](const auto& e) {
        const State& s = e.second;
        return s.lockedUntil <= now && (s.failures.empty() || s.failures.back() <= now - windowS_);
    });
    nextPurge_ = now + windowS_;
}

bool LockoutTracker::recordFailure(const std::string& key, int64_t now) {
    if (maxFailures_ <= 0) return false;
    if (now >= nextPurge_ || keys_.size() >= capacity_) purge(now);
    auto it = keys_.find(key);
    if (it == keys_.end()) {
        if (keys_.size() >= capacity_) {
            auto victim =
                std::find_if(keys_.begin(), keys_.end(), [&](const auto& e) { return e.second.lockedUntil <= now; });
            if (victim == keys_.end()) {
                ++untracked_;
                return false;
            }
            keys_.erase(victim);
        }
        it = keys_.emplace(key, State{}).first;
    }
    State& s = it->second;
    if (s.lockedUntil > now) return false;
    s.failures.push_back(now);
    while (!s.failures.empty() && s.failures.front() <= now - windowS_) s.failures.pop_front();
    if (static_cast<int>(s.failures.size()) < maxFailures_) return false;
    s.failures.clear();
    s.lockedUntil = now + lockS_;
    return true;
}

size_t LockoutTracker::lockedCount(const std::string& prefix, int64_t now) const {
    size_t n = 0;
    for (const auto& [k, s] : keys_) n += s.lockedUntil > now && k.starts_with(prefix);
    return n;
}

}  // namespace hipaa::room
