// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Multi-producer, single-consumer queue with a hard capacity. push() never waits: it fails when the
// queue is full so that Janus' threads are never blocked; the caller counts (and reports) the refusal.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace hipaa {

template <typename T>
class BoundedQueue {
public:
    explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

    bool push(T item) {
        {
            std::lock_guard lock(m_);
            if (closed_ || q_.size() >= capacity_) return false;
            q_.push_back(std::move(item));
        }
        cv_.notify_one();
        return true;
    }

    // Waits up to `timeout` for items; moves up to `max` of them into `out`. Returns false once the
    // queue is closed and drained.
    template <typename Rep, typename Period>
    bool popBatch(std::vector<T>& out, size_t max, std::chrono::duration<Rep, Period> timeout) {
        std::unique_lock lock(m_);
        cv_.wait_for(lock, timeout, [&] { return closed_ || !q_.empty(); });
        if (q_.empty()) return !closed_;
        while (!q_.empty() && out.size() < max) {
            out.push_back(std::move(q_.front()));
            q_.pop_front();
        }
        return true;
    }

    // Refuses new items; the consumer still drains what is queued.
    void close() {
        {
            std::lock_guard lock(m_);
            closed_ = true;
        }
        cv_.notify_all();
    }

    size_t size() const {
        std::lock_guard lock(m_);
        return q_.size();
    }
    size_t capacity() const { return capacity_; }

private:
    const size_t capacity_;
    mutable std::mutex m_;
    std::condition_variable cv_;
    std::deque<T> q_;
    bool closed_ = false;
};

}  // namespace hipaa
