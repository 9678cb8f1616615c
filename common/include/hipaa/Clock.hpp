// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The two clocks as integers. Wall time (since the Unix epoch) stamps what leaves the process: audit
// records, recordings, receipts, tokens. Monotonic time measures intervals and deadlines, which a
// step of the wall clock must neither stretch nor cut short. (RoomService takes its time as an
// argument instead: tests drive it with their own clock.)
#include <chrono>
#include <cstdint>

namespace hipaa {

inline constexpr int64_t kUsPerSecond = 1000000;

class Clock {
public:
    static int64_t wallUs() noexcept { return since<std::chrono::microseconds>(std::chrono::system_clock::now()); }
    static int64_t wallMs() noexcept { return since<std::chrono::milliseconds>(std::chrono::system_clock::now()); }
    static int64_t wallSeconds() noexcept { return since<std::chrono::seconds>(std::chrono::system_clock::now()); }
    static int64_t monotonicUs() noexcept { return since<std::chrono::microseconds>(std::chrono::steady_clock::now()); }
    static int64_t monotonicMs() noexcept { return since<std::chrono::milliseconds>(std::chrono::steady_clock::now()); }

private:
    template <class Unit, class TimePoint>
    static int64_t since(TimePoint t) noexcept {
        return std::chrono::duration_cast<Unit>(t.time_since_epoch()).count();
    }
};

}  // namespace hipaa
