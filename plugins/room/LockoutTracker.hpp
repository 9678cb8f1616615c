#pragma once
// Too many refused joins for one room within a window lock that room's joins for a while: a
// guessing attack on a room (tokens, dates of birth) stops after N tries, with its own event.
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace hipaa::room {

class LockoutTracker {
public:
    LockoutTracker(int maxFailures, int64_t windowS, int64_t lockS)
        : maxFailures_(maxFailures), windowS_(windowS), lockS_(lockS) {}
    bool locked(const std::string& room, int64_t now) const;
    // Counts a failure; true when this one starts a lockout.
    bool recordFailure(const std::string& room, int64_t now);
    void clear(const std::string& room) { rooms_.erase(room); }

private:
    struct State {
        std::deque<int64_t> failures;
        int64_t lockedUntil = 0;
    };
    int maxFailures_;
    int64_t windowS_, lockS_;
    std::unordered_map<std::string, State> rooms_;
};

}  // namespace hipaa::room
