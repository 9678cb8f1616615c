// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Two threads. The writer thread scrubs, chains and signs checkpoints; it hands each chained batch to
// the committer thread, which writes it into PostgreSQL (one transaction), or spools it (encrypted,
// fsync'd per group) while PostgreSQL is unreachable and replays the spool, in order, when it is back.
// The hand-off has one slot: batches reach the committer, the database and the spool strictly in
// chain order, and while the committer writes batch N the writer scrubs and chains batch N+1.
// Janus' event thread only ever calls enqueue() (a reference and a non-blocking push).
//
// Two connections ("lanes"): one PostgreSQL backend parses and indexes a batch at about the rate the
// writer produces them, so the committer loads batch N+1 on one connection (BEGIN on the committer
// thread, the COPY on a helper thread) while it commits batch N on the other. Commits stay in chain
// order: N+1 commits only after N did. Only this overlap runs two transactions at once; everything
// else (partitions, spool replay, spooling, the head file) runs with no other transaction open, so a
// failure of N rolls N+1 back and both take the one-connection path, in order.
//
// Crash window: the writer pops at most batch_size / 3 events at a time (batch_size / 2 without a
// second lane) and waits for the slot, so the events in its hands, in the slot and in flight are at
// most batch_size: kill -9 loses at most queue_capacity + batch_size events.
//
// When the spool is full too, the committer keeps the batch it holds (in memory, written first when
// possible) and the slot stays occupied, so the writer stops taking events: the bounded queue then
// fills and refuses new events, which are counted; when storage works again the trail gets an
// `audit.events_refused` record saying how many were refused, so the loss is itself on the chain.
#include "AuditChain.hpp"
#include "AuditCheckpoint.hpp"
#include "AuditHeadFile.hpp"
#include "AuditPolicy.hpp"
#include "AuditSpool.hpp"
#include "AuditStore.hpp"
#include "EventScrubber.hpp"

#include "hipaa/BoundedQueue.hpp"
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
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
        uint64_t received, refused, processed, queued, written, spooledTotal, spoolFrames, spoolBytes, replayed,
            checkpoints, dbFailures, spoolFullEvents, keptFields, droppedByPolicy, droppedUnknown, pseudonymized,
            coarsened, patternHits, headSeq, committedSeq;
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
    // <spool.dir>/<instance>.head: the newest committed record, outside the database (AuditHeadFile).
    const std::string& headFilePath() const { return headFile_->path(); }
    size_t queueCapacity() const { return options_.queueCapacity; }

private:
    struct Item {
        JsonPtr event;
        std::unique_ptr<AuditRecord> own;
    };
    // A chained batch in the hand-off slot; the committer owns it until it is durable.
    struct Batch {
        std::vector<AuditRecord> records;
        std::vector<AuditCheckpoint> cps;
        uint64_t events = 0;  // Janus events in it (not the handler's own records)
    };
    // Writer thread.
    void run();
    void process(std::vector<Item>& items);
    void scrubRange(EventScrubber& scrubber, std::vector<Item>& items, std::vector<AuditRecord>& out, size_t base,
                    size_t from, size_t to);
    void maybeCheckpoint(bool force);
    void handOff();
    void noteRefused();
    // A batch loaded on a lane (BEGIN issued, COPY running or done), not yet committed.
    struct Flight {
        Batch batch;
        size_t lane = 0;
        std::future<void> loaded;
    };
    // Committer thread.
    void commitLoop();
    bool commit(Batch& batch);      // true: in PostgreSQL or fsync'd in the spool
    void commitHeld(Batch& batch);  // commit(), retried while the spool is full and the database away
    std::optional<size_t> fastLane(const Batch& batch, const Flight* flight) const;
    std::unique_ptr<Flight> launch(Batch&& batch, size_t lane);
    void settle(std::unique_ptr<Flight>& flight, std::unique_ptr<Flight>* next);
    // Waits for the flight's load, then COMMITs it (or ROLLs it BACK when `commit` is false). False
    // when it is not committed; a lane whose load or commit failed is dropped (reconnected later).
    bool finish(Flight& flight, bool commit);
    void dropLane(size_t lane, const DbError& e);
    void connectLane2();
    void promoteLane2();
    static int64_t partitionBucket(int64_t us);
    void reconnectAndReplay();
    bool writeDb(const std::vector<AuditRecord>& records, const std::vector<AuditCheckpoint>& cps,
                 bool idempotent = false);
    void tryConnect();
    void replay();
    void saveHead();

    AuditWriterOptions options_;
    const Ed25519Signer& signer_;
    std::string keyId_;
    Logger log_;
    EventScrubber scrubber_;
    // Scrubs the second half of each batch on a helper thread (the scrub is the writer's CPU cost;
    // the chain is then appended in queue order on the writer thread, so ordering is unchanged).
    EventScrubber helperScrubber_;
    std::unique_ptr<AuditSpool> spool_;
    std::unique_ptr<AuditHeadFile> headFile_;  // committer thread only (after the constructor)
    std::unique_ptr<AuditStore> store_;        // lane 0: every write but the overlapped ones
    std::unique_ptr<AuditStore> store2_;       // lane 1 (pipelined only)
    bool pipelined_ = false;
    std::unique_ptr<AuditChain> chain_;
    BoundedQueue<Item> queue_;
    // Writer thread only: chained, not yet handed off.
    std::vector<AuditRecord> pending_;
    std::vector<AuditCheckpoint> pendingCps_;
    uint64_t pendingEvents_ = 0;
    int64_t lastCheckpointSeq_ = 0;
    std::chrono::steady_clock::time_point lastCheckpoint_;
    uint64_t refusedReported_ = 0;
    size_t popMax_ = 1;  // events per writer batch: batch_size / 3 (/ 2 unpipelined; 1 when batch_size is 1)

    // The hand-off slot. The writer fills `slot_` only when `slotFull_` is false; the committer reads
    // and empties it outside the lock while `slotFull_` is true, then clears the flag.
    std::mutex slotMutex_;
    std::condition_variable slotCv_;
    Batch slot_;
    bool slotFull_ = false, writerDone_ = false, abandoned_ = false;
    uint64_t lostAtShutdown_ = 0;  // under slotMutex_

    // Committer thread only.
    std::chrono::steady_clock::time_point lastConnectAttempt_{}, lastLane2Attempt_{};
    int64_t partitionMonth_ = -1;
    int64_t durableSeq_ = 0;  // newest record in PostgreSQL or in the spool (for the head file)
    Digest256 durableHead_{};

    std::atomic<uint64_t> received_{0}, refused_{0}, processed_{0}, written_{0}, spooledTotal_{0}, replayed_{0},
        checkpoints_{0}, dbFailures_{0}, spoolFullEvents_{0}, headSeq_{0}, committedSeq_{0}, spoolFrames_{0},
        spoolBytes_{0};
    std::atomic<uint64_t> kept_{0}, droppedPolicy_{0}, droppedUnknown_{0}, pseudonymized_{0}, coarsened_{0},
        patternHits_{0};
    std::atomic<bool> dbConnected_{false}, spoolFull_{false}, closing_{false};
    std::atomic<int64_t> lastCommittedUs_{0};
    std::array<std::atomic<uint64_t>, 10> byType_{};
    std::thread committer_, thread_;
};

}  // namespace hipaa::audit
