// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/VisitBus.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <thread>

namespace hipaa {

class VisitBus::Worker {
public:
    Worker(std::string topic, std::string name, std::function<void(const void*)> handler, size_t capacity)
        : topic_(std::move(topic)), name_(std::move(name)), handler_(std::move(handler)), capacity_(capacity) {
        thread_ = std::thread([this] { run(); });
    }

    ~Worker() { stop(); }

    bool offer(std::shared_ptr<const void> e) {
        {
            std::lock_guard lock(m_);
            if (stopping_ || queue_.size() >= capacity_) {
                ++refused_;
                return false;
            }
            queue_.push_back(std::move(e));
            ++queued_;
        }
        cv_.notify_one();
        return true;
    }

    // Delivers what is queued, then joins.
    void stop() {
        {
            std::lock_guard lock(m_);
            stopping_ = true;
        }
        cv_.notify_one();
        if (thread_.joinable()) thread_.join();
    }

    SubscriptionStats stats() const {
        std::lock_guard lock(m_);
        return {topic_, name_, queued_, handled_, refused_, failed_};
    }

    const std::string& topic() const { return topic_; }

private:
    void run() {
        for (;;) {
            std::shared_ptr<const void> e;
            {
                std::unique_lock lock(m_);
                cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                e = std::move(queue_.front());
                queue_.pop_front();
            }
            bool ok = true;
            try {
                handler_(e.get());
            } catch (...) {
                ok = false;  // the subscriber owns its own error reporting; count it here
            }
            std::lock_guard lock(m_);
            ++(ok ? handled_ : failed_);
        }
    }

    std::string topic_, name_;
    std::function<void(const void*)> handler_;
    size_t capacity_;
    mutable std::mutex m_;
    std::condition_variable cv_;
    std::deque<std::shared_ptr<const void>> queue_;
    bool stopping_ = false;
    uint64_t queued_ = 0, handled_ = 0, refused_ = 0, failed_ = 0;
    std::thread thread_;
};

namespace {

class SubscriptionImpl : public VisitBus::Subscription {
public:
    SubscriptionImpl(std::function<void()> onClose) : onClose_(std::move(onClose)) {}
    ~SubscriptionImpl() override { onClose_(); }

private:
    std::function<void()> onClose_;
};

}  // namespace

VisitBus& VisitBus::instance() {
    static VisitBus bus;
    return bus;
}

std::unique_ptr<VisitBus::Subscription> VisitBus::subscribeErased(std::string topic, std::string name,
                                                                  std::function<void(const void*)> handler,
                                                                  size_t capacity) {
    auto w = std::make_shared<Worker>(std::move(topic), std::move(name), std::move(handler), capacity);
    {
        std::lock_guard lock(mutex_);
        workers_.push_back(w);
    }
    return std::make_unique<SubscriptionImpl>([this, raw = w.get()] { remove(raw); });
}

void VisitBus::remove(Worker* w) {
    std::shared_ptr<Worker> owned;
    {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(workers_.begin(), workers_.end(), [&](const auto& p) { return p.get() == w; });
        if (it == workers_.end()) return;
        owned = std::move(*it);
        workers_.erase(it);
    }
    owned->stop();  // outside the bus lock: publishers are never held up by a draining subscriber
}

VisitBus::PublishResult VisitBus::publishErased(const std::string& topic, const std::shared_ptr<const void>& event) {
    std::vector<std::shared_ptr<Worker>> targets;
    {
        std::lock_guard lock(mutex_);
        for (const auto& w : workers_)
            if (w->topic() == topic) targets.push_back(w);
    }
    PublishResult r;
    for (const auto& w : targets) ++(w->offer(event) ? r.delivered : r.refused);
    return r;
}

std::vector<VisitBus::SubscriptionStats> VisitBus::stats() const {
    std::vector<std::shared_ptr<Worker>> all;
    {
        std::lock_guard lock(mutex_);
        all = workers_;
    }
    std::vector<SubscriptionStats> out;
    out.reserve(all.size());
    for (const auto& w : all) out.push_back(w->stats());
    return out;
}

}  // namespace hipaa
