// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// In-process publish/subscribe for PHI-bearing visit facts (room plugin -> FHIR handler). It lives in
// libhipaa_common.so, so every plugin in one Janus process shares one bus, and nothing on it ever
// leaves the process. Typed: an event type T names its topic with `static constexpr const char* kTopic`.
//
// Publishers never block on subscribers: each subscription has its own bounded queue and worker thread.
// publish() reports how many subscribers accepted the event; a full queue refuses (and counts) instead
// of waiting, so the publisher can fail its request visibly rather than lose the fact silently.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hipaa {

class VisitBus {
public:
    struct PublishResult {
        size_t delivered = 0;  // subscribers whose queue took the event
        size_t refused = 0;    // subscribers whose queue was full
        bool ok() const { return refused == 0; }
    };
    struct SubscriptionStats {
        std::string topic, name;
        uint64_t queued = 0, handled = 0, refused = 0, failed = 0;
    };

    // Unsubscribes on destruction after delivering everything already queued.
    class Subscription {
    public:
        virtual ~Subscription() = default;
    };

    static VisitBus& instance();
    VisitBus() = default;
    VisitBus(const VisitBus&) = delete;
    VisitBus& operator=(const VisitBus&) = delete;

    template <typename T>
    [[nodiscard]] std::unique_ptr<Subscription> subscribe(const std::string& name,
                                                          std::function<void(const T&)> handler,
                                                          size_t capacity = 4096) {
        return subscribeErased(
            T::kTopic, name, [h = std::move(handler)](const void* e) { h(*static_cast<const T*>(e)); }, capacity);
    }

    template <typename T>
    PublishResult publish(T event) {
        return publishErased(T::kTopic, std::make_shared<const T>(std::move(event)));
    }

    std::vector<SubscriptionStats> stats() const;

private:
    class Worker;
    std::unique_ptr<Subscription> subscribeErased(std::string topic, std::string name,
                                                  std::function<void(const void*)> handler, size_t capacity);
    PublishResult publishErased(const std::string& topic, const std::shared_ptr<const void>& event);
    void remove(Worker* w);

    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<Worker>> workers_;
};

}  // namespace hipaa
