#pragma once
// janus.eventhandler.hipaa.audit. This first version receives every Janus event (mask: all), queues
// it without blocking Janus' event thread and counts it by type on a worker thread; `info` reports the
// counters. Scrubbing and the PostgreSQL trail are the audit issue; until then nothing is stored.
#include "hipaa/BoundedQueue.hpp"
#include "hipaa/Config.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"

#include <array>
#include <atomic>
#include <memory>
#include <thread>

namespace hipaa::audit {

inline constexpr PluginInfo kAuditInfo{"janus.eventhandler.hipaa.audit", "HIPAA audit trail",
                                       "Scrubs PHI from Janus events into a tamper-evident audit trail", "0.1.0",
                                       100};

class AuditHandler final : public EventHandlerCore {
public:
    AuditHandler(Config config, Logger log);
    ~AuditHandler() override;
    // nullptr when `general.enabled` is false.
    static std::unique_ptr<EventHandlerCore> create(const std::string& configFile, Logger log);

    void incomingEvent(json_t* event) override;
    JsonPtr handleRequest(const json_t* request) override;

private:
    void run();

    Config config_;
    Logger log_;
    BoundedQueue<JsonPtr> queue_;
    std::atomic<uint64_t> received_{0}, refused_{0}, processed_{0};
    // Janus event types are bit flags 1..256: index by bit position.
    std::array<std::atomic<uint64_t>, 10> byType_{};
    std::thread worker_;
};

}  // namespace hipaa::audit
