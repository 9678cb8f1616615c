// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// When to try the shared store's connection again: at once the first time, then after a delay that
// doubles per failure (from `first` up to `max`), so an unreachable database costs a refused join
// nothing but a check of the clock, not a connect timeout each.
#include <chrono>

namespace hipaa::room {

class StoreBackoff {
public:
    using Clock = std::chrono::steady_clock;
    StoreBackoff(std::chrono::milliseconds first, std::chrono::milliseconds max) : first_(first), max_(max) {}
    bool mayTry(Clock::time_point now) const { return now >= next_; }
    void failed(Clock::time_point now);
    void succeeded() {
        delay_ = {};
        next_ = {};
    }
    std::chrono::milliseconds delay() const { return delay_; }

private:
    std::chrono::milliseconds first_, max_, delay_{};
    Clock::time_point next_{};
};

}  // namespace hipaa::room
