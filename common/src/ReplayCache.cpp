// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/ReplayCache.hpp"

namespace hipaa {

// Length-prefixed, so no (iss, jti) pair can collide with another.
std::string ReplayCache::keyOf(const std::string& iss, const std::string& jti) {
    return std::to_string(iss.size()) + ':' + iss + jti;
}

void ReplayCache::purge(int64_t now) {
    std::erase_if(seen_, [now](const auto& e) { return e.second < now; });
    nextPurge_ = now + 30;
}

ReplayCache::Result ReplayCache::remember(const std::string& iss, const std::string& jti, int64_t forgetAt,
                                          int64_t now) {
    std::string key = keyOf(iss, jti);
    std::lock_guard lock(m_);
    if (now >= nextPurge_ || seen_.size() >= capacity_) purge(now);
    auto it = seen_.find(key);
    if (it != seen_.end() && it->second >= now) return Result::Replayed;
    if (seen_.size() >= capacity_) return Result::Full;
    seen_[std::move(key)] = forgetAt;
    return Result::Fresh;
}

bool ReplayCache::contains(const std::string& iss, const std::string& jti, int64_t now) const {
    std::string key = keyOf(iss, jti);
    std::lock_guard lock(m_);
    auto it = seen_.find(key);
    return it != seen_.end() && it->second >= now;
}

size_t ReplayCache::size() const {
    std::lock_guard lock(m_);
    return seen_.size();
}

}  // namespace hipaa
