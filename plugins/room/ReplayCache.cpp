#include "ReplayCache.hpp"

namespace hipaa::room {

void ReplayCache::purge(int64_t now) {
    std::erase_if(seen_, [now](const auto& e) { return e.second < now; });
    nextPurge_ = now + 30;
}

ReplayCache::Result ReplayCache::remember(const std::string& jti, int64_t forgetAt, int64_t now) {
    std::lock_guard lock(m_);
    if (now >= nextPurge_ || seen_.size() >= capacity_) purge(now);
    auto it = seen_.find(jti);
    if (it != seen_.end() && it->second >= now) return Result::Replayed;
    if (seen_.size() >= capacity_) return Result::Full;
    seen_[jti] = forgetAt;
    return Result::Fresh;
}

bool ReplayCache::contains(const std::string& jti, int64_t now) const {
    std::lock_guard lock(m_);
    auto it = seen_.find(jti);
    return it != seen_.end() && it->second >= now;
}

size_t ReplayCache::size() const {
    std::lock_guard lock(m_);
    return seen_.size();
}

}  // namespace hipaa::room
