#pragma once
// The one writer thread: scrubs, chains, signs checkpoints and batches into PostgreSQL; spools
// (encrypted, fsync'd per group) while PostgreSQL is unreachable and replays the spool, in order, when
// it is back. Janus' event thread only ever calls enqueue() (a reference and a non-blocking push).
//
// When the spool is full too, the thread stops taking events (what it already chained stays in
// memory and is written first when possible): the bounded queue then fills and refuses new events,
// which are counted; when storage works again the trail gets an `audit.events_refused` record
// saying how many were refused, so the loss is itself on the chain.
#include "AuditChain.hpp"
#include "AuditCheckpoint.hpp"
#include "AuditPolicy.hpp"
#include "AuditSpool.hpp"
#include "AuditStore.hpp"
#include "EventScrubber.hpp"

#include "hipaa/BoundedQueue.hpp"
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

namespace hipaa::audit {

struct AuditWriterOptions {
    std::string instanceId;
    std::optional<PgConn::Options> database;  // nullopt: spool only (development)
    std::string spoolDir;
    Bytes spoolKey;
    uint64_t spoolMaxBytes = 1ull << 30;
    int64_t checkpointEvery = 1000;
    std::chrono::milliseconds checkpointInterval{60000};
    std::chrono::milliseconds retryInterval{1000};
    size_t batchSize = 1000;
    size_t queueCapacity = 65536;
};

class AuditWriter {
public:
    struct Stats {
        uint64_t received, refused, processed, queued, written, spooledTotal, spoolFrames, spoolBytes, replayed, checkpoints,
            dbFailures, spoolFullEvents, keptFields, droppedByPolicy, droppedUnknown, pseudonymized, coarsened,
            patternHits, headSeq, committedSeq;
        bool dbConnected, spoolFull;
        int64_t lastCommittedEventUs;
        std::array<uint64_t, 10> byType;
    };

    // Opens the spool and finds the chain head (spool, head file, database); throws on failure.
    AuditWriter(AuditWriterOptions options, const AuditPolicy& policy, const Pseudonymizer& pseudonymizer,
                const Ed25519Signer& signer, Logger log);
    ~AuditWriter();  // flushes everything (database or spool), then joins
    AuditWriter(const AuditWriter&) = delete;
    AuditWriter& operator=(const AuditWriter&) = delete;

    // Janus' event thread: O(1), never blocks. Takes its own reference.
    void enqueue(json_t* event);
    // The handler's own records (queries, exports): false when the queue refused it.
    bool enqueueOwn(AuditRecord record);
    Stats stats() const;
    const std::string& instanceId() const { return options_.instanceId; }

private:
    struct Item {
        JsonPtr event;
        std::unique_ptr<AuditRecord> own;
    };
    void run();
    void process(std::vector<Item>& items);
    void scrubRange(EventScrubber& scrubber, std::vector<Item>& items, std::vector<AuditRecord>& out, size_t from, size_t to);
    void maybeCheckpoint(bool force);
    void flush();
    bool writeDb(const std::vector<AuditRecord>& records, const std::vector<AuditCheckpoint>& cps, bool idempotent = false);
    void tryConnect();
    void replay();
    void saveHead();
    void noteRefused();

    AuditWriterOptions options_;
    const Ed25519Signer& signer_;
    std::string keyId_;
    Logger log_;
    EventScrubber scrubber_;
    // Scrubs the second half of each batch on a helper thread (the scrub is the writer's CPU cost;
    // the chain is then appended in queue order on the writer thread, so ordering is unchanged).
    EventScrubber helperScrubber_;
    std::unique_ptr<AuditSpool> spool_;
    std::unique_ptr<AuditStore> store_;
    std::unique_ptr<AuditChain> chain_;
    BoundedQueue<Item> queue_;
    std::vector<AuditRecord> pending_;
    std::vector<AuditCheckpoint> pendingCps_;
    int64_t lastCheckpointSeq_ = 0;
    std::chrono::steady_clock::time_point lastCheckpoint_, lastConnectAttempt_{};
    int64_t partitionMonth_ = -1;
    uint64_t refusedReported_ = 0;

    std::atomic<uint64_t> received_{0}, refused_{0}, processed_{0}, written_{0}, spooledTotal_{0}, replayed_{0}, checkpoints_{0},
        dbFailures_{0}, spoolFullEvents_{0}, headSeq_{0}, committedSeq_{0}, spoolFrames_{0}, spoolBytes_{0};
    std::atomic<uint64_t> kept_{0}, droppedPolicy_{0}, droppedUnknown_{0}, pseudonymized_{0}, coarsened_{0}, patternHits_{0};
    std::atomic<bool> dbConnected_{false}, spoolFull_{false}, closing_{false};
    std::atomic<int64_t> lastCommittedUs_{0};
    std::array<std::atomic<uint64_t>, 10> byType_{};
    std::thread thread_;
};

}  // namespace hipaa::audit
