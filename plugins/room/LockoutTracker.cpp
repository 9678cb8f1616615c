#include "LockoutTracker.hpp"

namespace hipaa::room {

bool LockoutTracker::locked(const std::string& room, int64_t now) const {
    auto it = rooms_.find(room);
    return it != rooms_.end() && it->second.lockedUntil > now;
}

bool LockoutTracker::recordFailure(const std::string& room, int64_t now) {
    if (maxFailures_ <= 0) return false;
    State& s = rooms_[room];
    if (s.lockedUntil > now) return false;
    s.failures.push_back(now);
    while (!s.failures.empty() && s.failures.front() <= now - windowS_) s.failures.pop_front();
    if (static_cast<int>(s.failures.size()) < maxFailures_) return false;
    s.failures.clear();
    s.lockedUntil = now + lockS_;
    return true;
}

}  // namespace hipaa::room
