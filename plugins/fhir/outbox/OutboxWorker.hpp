// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A sender thread: claims due bundles from the outbox, adds a visit's kept chat and documents
// (KeptAttacher: read from the recorder here, never on a Janus or bus thread), POSTs them, records the outcome.
// Exponential backoff with jitter between attempts of one bundle; dead-letter after maxAttempts failures (or at once
// for a 4xx with an OperationOutcome), logged as an alert without PHI.
#include "FhirClient.hpp"
#include "KeptAttacher.hpp"
#include "Outbox.hpp"

#include "hipaa/Logger.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace hipaa::fhir {

struct WorkerCounters {
    std::atomic<uint64_t> sent{0}, retried{0}, dead{0}, dbErrors{0};
    std::atomic<uint64_t> keptUnavailable{0}, tooLarge{0};  // attempts that failed before any send
};

class OutboxWorker {
public:
    struct Options {
        int batch = 16;
        int maxAttempts = 8;
        int64_t backoffInitialMs = 1000, backoffMaxMs = 300000;
        int leaseSeconds = 60;
        int pollIntervalMs = 1000;
    };
    OutboxWorker(Options options, std::unique_ptr<Outbox> outbox, std::unique_ptr<FhirClient> client, Logger log,
                 std::shared_ptr<WorkerCounters> counters, std::shared_ptr<const KeptAttacher> kept);
    ~OutboxWorker();  // stops and joins
    OutboxWorker(const OutboxWorker&) = delete;
    OutboxWorker& operator=(const OutboxWorker&) = delete;

    void wake();
    // Delay before attempt `attempt + 1`: min(max, initial * 2^(attempt-1)), full jitter in [d/2, d].
    static int64_t backoffMs(const Options& o, int attempt, uint64_t random);

private:
    void run();
    bool drainOnce();  // true when it did some work
    // Puts the Bundle to send into `body` (kept chat and documents added), or returns why not: retry
    // (the recorder not loaded or failing) or dead (too large, a kept document that does not verify).
    std::optional<SendResult> prepare(const Outbox::Claimed& c, std::string& body);

    Options options_;
    std::unique_ptr<Outbox> outbox_;
    std::unique_ptr<FhirClient> client_;
    Logger log_;
    std::shared_ptr<WorkerCounters> counters_;
    std::shared_ptr<const KeptAttacher> kept_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false, woken_ = false;
    std::thread thread_;
};

}  // namespace hipaa::fhir
