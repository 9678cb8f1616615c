// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One publisher's data channel (chat) accounting, shared by its media thread and the room worker
// without a lock: a token bucket (GCRA) decides whether a message is relayed, and counters collect
// what was relayed or dropped until the worker takes them for the next `chat` audit summary.
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace hipaa::room {

class ChatMeter {
public:
    struct Limit {
        int64_t perSecond = 20;  // messages relayed per second, sustained
        int64_t burst = 60;      // messages relayed at once after a quiet period
    };
    struct Counts {
        uint64_t messages = 0, bytes = 0, recipients = 0, dropped = 0;  // recipients: the most any message went to
        bool empty() const { return messages == 0 && dropped == 0; }
        Counts& operator+=(const Counts& o);
    };

    explicit ChatMeter(Limit limit);

    // Media thread. admit: whether a message arriving at `nowUs` may be relayed (false: over the limit,
    // and counted as dropped).
    bool admit(int64_t nowUs) noexcept;
    void relayed(size_t bytes, size_t recipients) noexcept;
    // A message admitted but not relayed (kept chat whose sink refused it): counted as dropped.
    void dropped() noexcept { dropped_.fetch_add(1, std::memory_order_relaxed); }
    // Worker: what happened since the previous take.
    Counts take() noexcept;

private:
    const int64_t intervalUs_, toleranceUs_;
    std::atomic<int64_t> tat_{0};  // theoretical arrival time of the next message (GCRA)
    std::atomic<uint64_t> messages_{0}, bytes_{0}, recipients_{0}, dropped_{0};
};

}  // namespace hipaa::room
