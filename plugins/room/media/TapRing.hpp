// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Bounded multi-producer ring of preallocated slots (Vyukov's bounded queue: one atomic sequence per
// slot, a CAS on the head for producers). Producers are Janus media threads: tryPush copies one packet
// into a free slot or returns false when the ring is full; it never blocks, never allocates, never
// throws. One consumer (the recording tap's thread) pops in order.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace hipaa::room {

struct TapSlot {
    enum class Kind : uint8_t { Rtp, StreamAdded, StreamRemoved };
    static constexpr size_t kMaxPacket = 1500;
    static constexpr size_t kMaxCodec = 16;

    std::atomic<size_t> sequence{0};
    Kind kind = Kind::Rtp;
    bool video = false;
    uint64_t feed = 0;
    int mindex = 0;
    int payloadType = 0;
    char codec[kMaxCodec] = {};
    uint16_t length = 0;
    uint8_t data[kMaxPacket] = {};
};

class TapRing {
public:
    explicit TapRing(size_t slots);  // rounded up to a power of two (>= 2)
    TapRing(const TapRing&) = delete;
    TapRing& operator=(const TapRing&) = delete;

    // Claims a slot, lets `fill` write it, publishes it. False when full (nothing written).
    template <typename Fill>
    bool tryPush(Fill&& fill) noexcept {
        size_t pos = head_.load(std::memory_order_relaxed);
        for (;;) {
            TapSlot& s = slots_[pos & mask_];
            size_t seq = s.sequence.load(std::memory_order_acquire);
            auto diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
            if (diff == 0) {
                if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
                    fill(s);
                    s.sequence.store(pos + 1, std::memory_order_release);
                    return true;
                }
            } else if (diff < 0) {
                return false;
            } else {
                pos = head_.load(std::memory_order_relaxed);
            }
        }
    }
    // Single consumer: hands the oldest published slot to `use`, then frees it. False when empty.
    template <typename Use>
    bool tryPop(Use&& use) {
        TapSlot& s = slots_[tail_ & mask_];
        if (s.sequence.load(std::memory_order_acquire) != tail_ + 1) return false;
        use(s);
        s.sequence.store(tail_ + mask_ + 1, std::memory_order_release);
        ++tail_;
        return true;
    }
    size_t capacity() const { return mask_ + 1; }

private:
    std::unique_ptr<TapSlot[]> slots_;
    size_t mask_ = 0;
    alignas(64) std::atomic<size_t> head_{0};
    alignas(64) size_t tail_ = 0;
};

}  // namespace hipaa::room
