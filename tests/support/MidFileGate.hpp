// SPDX-License-Identifier: GPL-3.0-or-later
// Holds the first long call (export, delete, sweep) that reaches the middle of recording `id`'s file
// until released: the recorder's test hook, so a test can act while another call is half-way.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace hipaa::test {

class MidFileGate {
public:
    void arm(const std::string& id) {
        std::lock_guard l(m_);
        id_ = id;
    }
    void operator()(const std::string& id) {
        std::unique_lock l(m_);
        if (id != id_ || released_) return;
        inside_ = true;
        cv_.notify_all();
        cv_.wait(l, [&] { return released_; });
    }
    bool waitInside(std::chrono::seconds within = std::chrono::seconds(60)) {
        std::unique_lock l(m_);
        return cv_.wait_for(l, within, [&] { return inside_; });
    }
    void release() {
        std::lock_guard l(m_);
        released_ = true;
        cv_.notify_all();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::string id_;
    bool inside_ = false, released_ = false;
};

}  // namespace hipaa::test
