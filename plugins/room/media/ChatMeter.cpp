// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChatMeter.hpp"

#include <algorithm>

namespace hipaa::room {

ChatMeter::Counts& ChatMeter::Counts::operator+=(const Counts& o) {
    messages += o.messages;
    bytes += o.bytes;
    recipients = std::max(recipients, o.recipients);
    dropped += o.dropped;
    return *this;
}

ChatMeter::ChatMeter(Limit limit)
    : intervalUs_(1'000'000 / std::max<int64_t>(limit.perSecond, 1)),
      toleranceUs_(intervalUs_ * (std::max<int64_t>(limit.burst, 1) - 1)) {}

bool ChatMeter::admit(int64_t nowUs) noexcept {
    int64_t tat = tat_.load(std::memory_order_relaxed);
    for (;;) {
        // Admissions keep tat within tolerance + one interval of the clock: beyond that the (wall)
        // clock went back, and the bucket starts afresh instead of blocking chat until it catches up.
        int64_t base = tat - nowUs > toleranceUs_ + intervalUs_ ? nowUs : std::max(tat, nowUs);
        if (base - nowUs > toleranceUs_) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        if (tat_.compare_exchange_weak(tat, base + intervalUs_, std::memory_order_relaxed)) return true;
    }
}

void ChatMeter::relayed(size_t bytes, size_t recipients) noexcept {
    messages_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    uint64_t most = recipients_.load(std::memory_order_relaxed);
    while (recipients > most && !recipients_.compare_exchange_weak(most, recipients, std::memory_order_relaxed)) {
    }
}

ChatMeter::Counts ChatMeter::take() noexcept {
    Counts c;
    c.messages = messages_.exchange(0, std::memory_order_relaxed);
    c.bytes = bytes_.exchange(0, std::memory_order_relaxed);
    c.recipients = recipients_.exchange(0, std::memory_order_relaxed);
    c.dropped = dropped_.exchange(0, std::memory_order_relaxed);
    return c;
}

}  // namespace hipaa::room
