// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditWriter.hpp"

#include "AuditHeadFile.hpp"
#include "AuditRecordCodec.hpp"

#include "hipaa/Clock.hpp"
#include "hipaa/Ed25519Verifier.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>

namespace hipaa::audit {
namespace {

std::string cpPayload(const AuditCheckpoint& cp) {
    JsonPtr o = JsonBuilder()
                    .set("k", "c")
                    .set("instance_id", cp.instanceId)
                    .set("seq", cp.seq)
                    .set("head_hash", hexEncode(cp.headHash))
                    .set("signed_at_us", cp.signedAtUs)
                    .set("key_id", cp.keyId)
                    .set("signature", hexEncode(cp.signature))
                    .build();
    return jsonDump(o.get());
}

AuditCheckpoint cpFromJson(const json_t* j) {
    AuditCheckpoint cp;
    cp.instanceId = std::string(jsonRequireString(j, "instance_id"));
    cp.seq = jsonRequireInt(j, "seq");
    auto h = hexDecode(jsonRequireString(j, "head_hash"));
    auto s = hexDecode(jsonRequireString(j, "signature"));
    if (!h || h->size() != 32 || !s || s->size() != 64) throw CryptoError("audit spool: malformed checkpoint");
    std::copy(h->begin(), h->end(), cp.headHash.begin());
    std::copy(s->begin(), s->end(), cp.signature.begin());
    cp.signedAtUs = jsonRequireInt(j, "signed_at_us");
    cp.keyId = std::string(jsonRequireString(j, "key_id"));
    return cp;
}

std::string recPayload(const AuditRecord& r) {
    return jsonDump(JsonBuilder(AuditRecordCodec::toJson(r)).set("k", "r").build().get());
}

}  // namespace

AuditWriter::AuditWriter(AuditWriterOptions options, const AuditPolicy& policy, const Pseudonymizer& pseudonymizer,
                         const Ed25519Signer& signer, Logger log)
    : options_(std::move(options)),
      signer_(signer),
      keyId_(Ed25519Verifier::keyId(signer.publicKey())),
      log_(std::move(log)),
      scrubber_(policy, pseudonymizer),
      helperScrubber_(policy, pseudonymizer),
      queue_(options_.queueCapacity) {
    std::filesystem::create_directories(options_.spoolDir);
    ::chmod(options_.spoolDir.c_str(), 0700);
    headFile_ = std::make_unique<AuditHeadFile>(options_.spoolDir + "/" + options_.instanceId + ".head");
    spool_ = std::make_unique<AuditSpool>(options_.spoolDir + "/" + options_.instanceId + ".spool", options_.spoolKey,
                                          options_.spoolMaxBytes);
    // The chain head: the spool's newest record (always newer than the database), else the larger of
    // the head file (saved after every commit) and the database's newest row.
    int64_t seq = 0;
    Digest256 head{};
    bool fromSpool = false;
    spool_->forEach([&](std::string&& p) {
        JsonPtr j = jsonParse(p);
        if (jsonString(j.get(), "k") == "r") {
            AuditRecord r = AuditRecordCodec::fromJson(j.get());
            seq = r.seq;
            head = r.hash;
            fromSpool = true;
        } else {
            lastCheckpointSeq_ = std::max(lastCheckpointSeq_, jsonRequireInt(j.get(), "seq"));
        }
        return true;
    });
    if (!fromSpool)
        if (auto h = AuditHeadFile::read(headFile_->path()); h) {
            seq = h->first;
            head = h->second;
        }
    lastConnectAttempt_ = std::chrono::steady_clock::now();
    if (options_.database) {
        try {
            store_ = std::make_unique<AuditStore>(AuditStore::connect(*options_.database));
            if (!fromSpool)
                if (auto h = store_->head(options_.instanceId); h && h->first >= seq) {
                    seq = h->first;
                    head = h->second;
                }
            dbConnected_ = true;
        } catch (const DbError& e) {
            store_.reset();
            log_.warn(std::string("audit database unreachable at start, spooling: ") + e.what());
        }
    }
    chain_ = std::make_unique<AuditChain>(options_.instanceId, seq, head);
    if (lastCheckpointSeq_ == 0) lastCheckpointSeq_ = seq;
    headSeq_ = static_cast<uint64_t>(seq);
    if (!fromSpool) committedSeq_ = static_cast<uint64_t>(seq);  // head file / database: committed
    spoolFrames_ = spool_->frames();
    spoolBytes_ = spool_->bytes();
    lastCheckpoint_ = std::chrono::steady_clock::now();
    durableSeq_ = seq;
    durableHead_ = head;
    pipelined_ = options_.database.has_value() && options_.batchSize >= 3;
    popMax_ = std::max<size_t>(1, options_.batchSize / (pipelined_ ? 3 : 2));
    if (pipelined_ && store_) connectLane2();
    committer_ = std::thread([this] { commitLoop(); });
    thread_ = std::thread([this] { run(); });
}

AuditWriter::~AuditWriter() {
    {
        std::lock_guard lock(slotMutex_);
        closing_ = true;
    }
    slotCv_.notify_all();
    queue_.close();
    if (thread_.joinable()) thread_.join();
    if (committer_.joinable()) committer_.join();
}

void AuditWriter::enqueue(json_t* event) {
    received_.fetch_add(1, std::memory_order_relaxed);
    if (!queue_.push(Item{jsonRetain(event), nullptr})) refused_.fetch_add(1, std::memory_order_relaxed);
}

bool AuditWriter::enqueueOwn(AuditRecord record) {
    return queue_.push(Item{nullptr, std::make_unique<AuditRecord>(std::move(record))});
}

void AuditWriter::run() {
    std::vector<Item> items;
    items.reserve(popMax_);
    while (true) {
        bool open = queue_.popBatch(items, popMax_, std::chrono::milliseconds(200));
        process(items);
        items.clear();
        noteRefused();
        maybeCheckpoint(false);
        handOff();
        if (!open) break;
    }
    // Shutdown: whatever is left (queue drained by popBatch) plus a final checkpoint.
    noteRefused();
    maybeCheckpoint(true);
    handOff();
    {
        std::lock_guard lock(slotMutex_);
        writerDone_ = true;
    }
    slotCv_.notify_all();
}

void AuditWriter::handOff() {
    if (pending_.empty() && pendingCps_.empty()) return;
    std::unique_lock lock(slotMutex_);
    // The slot is free once the committer has made the previous batch durable. While the spool is full
    // and the database unreachable it stays occupied: the writer stops taking events (see the header).
    slotCv_.wait(lock, [&] { return !slotFull_ || abandoned_; });
    if (abandoned_) {  // shutdown with the spool full and the database unreachable
        lostAtShutdown_ += pending_.size();
        pending_.clear();
        pendingCps_.clear();
        pendingEvents_ = 0;
        return;
    }
    // Swap, not move: the slot's vectors come back empty with their capacity.
    std::swap(slot_.records, pending_);
    std::swap(slot_.cps, pendingCps_);
    slot_.events = pendingEvents_;
    pendingEvents_ = 0;
    slotFull_ = true;
    // With batch_size 1 (popMax_ 1) the writer waits for the commit, so that at most one event is in
    // its and the committer's hands together.
    if (options_.batchSize < 2) {
        lock.unlock();
        slotCv_.notify_all();
        lock.lock();
        slotCv_.wait(lock, [&] { return !slotFull_ || abandoned_; });
        return;
    }
    lock.unlock();
    slotCv_.notify_all();
}

void AuditWriter::scrubRange(EventScrubber& scrubber, std::vector<Item>& items, std::vector<AuditRecord>& out,
                             size_t base, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
        Item& it = items[i];
        if (it.own) {
            out[base + i] = std::move(*it.own);
            continue;
        }
        int64_t type = jsonInt(it.event.get(), "type").value_or(0);
        if (type > 0 && std::has_single_bit(static_cast<uint64_t>(type))) {
            auto bit = static_cast<size_t>(std::countr_zero(static_cast<uint64_t>(type)));
            if (bit < byType_.size()) byType_[bit].fetch_add(1, std::memory_order_relaxed);
        }
        out[base + i] = scrubber.scrub(it.event.get());
        it.event.reset();
    }
}

void AuditWriter::process(std::vector<Item>& items) {
    if (items.empty()) return;
    // Large batches: the second half is scrubbed on a helper thread with its own scrubber; the chain
    // below is appended strictly in queue order, so the trail is the same as a single-threaded scrub.
    constexpr size_t kParallelFrom = 256;
    const size_t base = pending_.size();
    pending_.resize(base + items.size());
    const auto janusEvents =
        static_cast<uint64_t>(std::count_if(items.begin(), items.end(), [](const Item& it) { return !it.own; }));
    if (items.size() >= kParallelFrom) {
        size_t half = items.size() / 2;
        auto helper = std::async(std::launch::async,
                                 [&] { scrubRange(helperScrubber_, items, pending_, base, half, items.size()); });
        std::exception_ptr failure;
        try {
            scrubRange(scrubber_, items, pending_, base, 0, half);
        } catch (...) {
            failure = std::current_exception();
        }
        helper.get();  // rethrows the helper's exception, after it has finished with `items`
        if (failure) {
            pending_.resize(base);
            std::rethrow_exception(failure);
        }
    } else {
        try {
            scrubRange(scrubber_, items, pending_, base, 0, items.size());
        } catch (...) {
            pending_.resize(base);
            throw;
        }
    }
    for (size_t i = base; i < pending_.size(); ++i) {
        AuditRecord& r = pending_[i];
        if (r.eventTimeUs <= 0) r.eventTimeUs = Clock::wallUs();
        chain_->append(r);
    }
    pendingEvents_ += janusEvents;
    const auto& c = scrubber_.counters();
    const auto& h = helperScrubber_.counters();
    kept_ = c.keptFields + h.keptFields;
    droppedPolicy_ = c.droppedByPolicy + h.droppedByPolicy;
    droppedUnknown_ = c.droppedUnknown + h.droppedUnknown;
    pseudonymized_ = c.pseudonymized + h.pseudonymized;
    coarsened_ = c.coarsened + h.coarsened;
    patternHits_ = c.patternHits + h.patternHits;
    headSeq_ = static_cast<uint64_t>(chain_->seq());
    // Last, so that whoever sees `processed` cover an event also sees its field counters.
    processed_.fetch_add(janusEvents, std::memory_order_release);
}

void AuditWriter::noteRefused() {
    uint64_t refused = refused_.load();
    if (refused == refusedReported_ || spoolFull_) return;
    AuditRecord r;
    r.eventTimeUs = Clock::wallUs();
    r.emitter = options_.instanceId;
    r.action = "audit.events_refused";
    r.outcome = "failure";
    r.event =
        jsonDump(JsonBuilder().set("refused", refused - refusedReported_).set("refused_total", refused).build().get());
    chain_->append(r);
    pending_.push_back(std::move(r));
    headSeq_ = static_cast<uint64_t>(chain_->seq());
    refusedReported_ = refused;
}

void AuditWriter::maybeCheckpoint(bool force) {
    int64_t seq = chain_->seq();
    if (seq <= lastCheckpointSeq_) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && seq - lastCheckpointSeq_ < options_.checkpointEvery &&
        now - lastCheckpoint_ < options_.checkpointInterval)
        return;
    AuditCheckpoint cp;
    cp.instanceId = options_.instanceId;
    cp.seq = seq;
    cp.headHash = chain_->head();
    cp.signedAtUs = Clock::wallUs();
    cp.keyId = keyId_;
    cp.signature = signer_.sign(AuditChain::checkpointMessage(cp.instanceId, cp.seq, cp.headHash, cp.signedAtUs));
    pendingCps_.push_back(std::move(cp));
    lastCheckpointSeq_ = seq;
    lastCheckpoint_ = now;
}

void AuditWriter::commitLoop() {
    std::unique_ptr<Flight> flight;  // loaded on a lane, not yet committed
    while (true) {
        Batch batch;
        bool have = false, done = false;
        {
            std::unique_lock lock(slotMutex_);
            auto ready = [&] { return slotFull_ || writerDone_; };
            if (!flight) {
                // Idle: wake every 200 ms anyway to reconnect and replay the spool.
                slotCv_.wait_for(lock, std::chrono::milliseconds(200), ready);
            } else {
                // The next batch is usually on its way: wait for it while the flight's COPY runs, so
                // that it loads while the flight commits.
                while (!ready() && flight->loaded.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
                    slotCv_.wait_for(lock, std::chrono::microseconds(500));
            }
            have = slotFull_;
            done = writerDone_ && !slotFull_;
            // The slot stays full (the writer waits) until this batch is in flight or durable.
            if (have) std::swap(batch, slot_);
        }
        if (!have) {
            if (flight) {
                settle(flight, nullptr);
                continue;
            }
            reconnectAndReplay();
            if (done) break;
            continue;
        }
        if (auto lane = fastLane(batch, flight.get())) {
            std::unique_ptr<Flight> next = launch(std::move(batch), *lane);
            if (flight) settle(flight, &next);  // on failure also stores `next`, after it
            flight = std::move(next);
        } else {
            if (flight) settle(flight, nullptr);
            commitHeld(batch);
        }
        {
            std::lock_guard lock(slotMutex_);
            slotFull_ = false;
        }
        slotCv_.notify_all();
    }
    // Idle, writer done: the queue is drained and every batch was handed over.
    reconnectAndReplay();
    std::lock_guard lock(slotMutex_);
    if (lostAtShutdown_ > 0)
        log_.error("audit: " + std::to_string(lostAtShutdown_) +
                   " records could be neither stored nor spooled at shutdown (spool full, database unreachable)");
}

void AuditWriter::commitHeld(Batch& batch) {
    while (!commit(batch)) {
        // Spool full and no database: keep the batch and retry every retry_interval, unless shutting
        // down (then the records in hand are lost, and the log says how many).
        std::unique_lock lock(slotMutex_);
        if (!closing_) slotCv_.wait_for(lock, options_.retryInterval, [&] { return closing_.load(); });
        if (!closing_) continue;
        lock.unlock();
        if (commit(batch)) return;  // one last attempt
        lock.lock();
        lostAtShutdown_ += batch.records.size();
        abandoned_ = true;
        return;
    }
}

int64_t AuditWriter::partitionBucket(int64_t us) {
    return us / (1000000LL * 86400 * 28);  // coarse: partitions are re-ensured at most every 28 days
}

std::optional<size_t> AuditWriter::fastLane(const Batch& batch, const Flight* flight) const {
    // The overlap is for the steady state only: the spool empty, the partitions of these rows
    // ensured (DDL would wait for the other lane's open transaction, which waits for this one).
    if (!pipelined_ || batch.records.empty() || !spool_->empty()) return std::nullopt;
    size_t lane = flight ? 1 - flight->lane : 0;
    if (!(lane == 0 ? store_ : store2_)) return std::nullopt;
    for (const auto& r : batch.records)
        if (partitionBucket(r.eventTimeUs) != partitionMonth_) return std::nullopt;
    return lane;
}

std::unique_ptr<AuditWriter::Flight> AuditWriter::launch(Batch&& batch, size_t lane) {
    auto f = std::make_unique<Flight>();
    f->batch = std::move(batch);
    f->lane = lane;
    AuditStore* store = lane == 0 ? store_.get() : store2_.get();
    try {
        // BEGIN here, in chain order: recorded_at (the transaction's start) follows the chain.
        store->begin();
    } catch (const DbError&) {
        std::promise<void> failed;
        failed.set_exception(std::current_exception());
        f->loaded = failed.get_future();
        return f;
    }
    f->loaded = std::async(std::launch::async, [store, b = &f->batch] { store->load(b->records, b->cps); });
    return f;
}

void AuditWriter::settle(std::unique_ptr<Flight>& flight, std::unique_ptr<Flight>* next) {
    if (finish(*flight, true)) {
        flight.reset();
        return;
    }
    // Nothing may commit after a batch that is not stored: roll the next one back, store this one the
    // one-connection way (database or spool), then the next one.
    if (next && *next) finish(**next, false);
    commitHeld(flight->batch);
    flight.reset();
    if (next && *next) {
        commitHeld((*next)->batch);
        next->reset();
    }
}

bool AuditWriter::finish(Flight& f, bool commit) {
    AuditStore* store = f.lane == 0 ? store_.get() : store2_.get();
    try {
        f.loaded.get();
        if (!commit) {
            store->rollback();
            return false;
        }
        store->commit();
    } catch (const DbError& e) {
        store->rollback();
        dropLane(f.lane, e);
        return false;
    }
    written_ += f.batch.records.size();
    checkpoints_ += f.batch.cps.size();
    const AuditRecord& last = f.batch.records.back();  // flights are never empty
    lastCommittedUs_ = last.eventTimeUs;
    committedSeq_ = std::max<uint64_t>(committedSeq_, static_cast<uint64_t>(last.seq));
    durableSeq_ = last.seq;
    durableHead_ = last.hash;
    saveHead();
    return true;
}

void AuditWriter::dropLane(size_t lane, const DbError& e) {
    ++dbFailures_;
    log_.warn("audit database write failed (lane " + std::to_string(lane) + ", SQLSTATE " + e.sqlstate() +
              "): storing on one connection or spooling");
    partitionMonth_ = -1;
    if (lane == 1) {
        store2_.reset();
        lastLane2Attempt_ = std::chrono::steady_clock::now();
        return;
    }
    store_.reset();
    dbConnected_ = false;
    lastConnectAttempt_ = std::chrono::steady_clock::now();
}

void AuditWriter::connectLane2() {
    lastLane2Attempt_ = std::chrono::steady_clock::now();
    try {
        store2_ = std::make_unique<AuditStore>(AuditStore::connect(*options_.database));
    } catch (const DbError&) {
        store2_.reset();
    }
}

void AuditWriter::promoteLane2() {
    // Lane 0's connection was lost but lane 1's works: write on that one at once (instead of spooling
    // until lane 0 reconnects); lane 1 is reconnected later. Only ever with no transaction open.
    if (store_ || !store2_) return;
    store_ = std::move(store2_);
    dbConnected_ = true;
    lastLane2Attempt_ = std::chrono::steady_clock::now();
}

void AuditWriter::reconnectAndReplay() {
    promoteLane2();
    auto now = std::chrono::steady_clock::now();
    if (!store_ && options_.database && now - lastConnectAttempt_ >= options_.retryInterval) tryConnect();
    if (store_ && pipelined_ && !store2_ && now - lastLane2Attempt_ >= options_.retryInterval) connectLane2();
    if (store_ && !spool_->empty()) replay();
}

bool AuditWriter::writeDb(const std::vector<AuditRecord>& records, const std::vector<AuditCheckpoint>& cps,
                          bool idempotent) {
    if (!store_) return false;
    try {
        for (const auto& r : records) {
            int64_t month = partitionBucket(r.eventTimeUs);
            if (month != partitionMonth_) {
                store_->ensurePartitions(r.eventTimeUs);
                partitionMonth_ = month;
            }
        }
        // Rows newly inserted: a replay that repeats rows already committed does not count them twice.
        written_ += static_cast<uint64_t>(store_->write(records, cps, idempotent));
        checkpoints_ += cps.size();
        if (!records.empty()) {
            lastCommittedUs_ = records.back().eventTimeUs;
            committedSeq_ = std::max<uint64_t>(committedSeq_, static_cast<uint64_t>(records.back().seq));
        }
        return true;
    } catch (const DbError& e) {
        dropLane(0, e);
        return false;
    }
}

bool AuditWriter::commit(Batch& batch) {
    // Batches arrive in chain order; a batch goes to PostgreSQL only when the spool is empty (replayed
    // first), so the database and the spool each receive the chain in order.
    reconnectAndReplay();
    if (batch.records.empty() && batch.cps.empty()) return true;
    auto durable = [&] {
        if (!batch.records.empty()) {
            durableSeq_ = batch.records.back().seq;
            durableHead_ = batch.records.back().hash;
        }
    };
    // Twice at most: when lane 0 fails here, lane 1 (if connected) takes over and is tried too.
    for (int attempt = 0; attempt < 2 && store_ && spool_->empty(); ++attempt) {
        if (writeDb(batch.records, batch.cps)) {
            durable();
            saveHead();
            return true;
        }
        promoteLane2();
    }
    std::vector<std::string> payloads;
    payloads.reserve(batch.records.size() + batch.cps.size());
    for (const auto& r : batch.records) payloads.push_back(recPayload(r));
    for (const auto& cp : batch.cps) payloads.push_back(cpPayload(cp));
    bool ok = spool_->append(payloads);
    if (ok) {
        durable();
        spooledTotal_ += batch.records.size();
        if (spoolFull_) log_.warn("audit spool accepts records again");
        spoolFull_ = false;
    } else if (!spoolFull_) {
        spoolFull_ = true;
        ++spoolFullEvents_;
        log_.error("ALERT audit spool full (" + std::to_string(spool_->bytes()) +
                   " bytes) and database unreachable: no longer taking events; Janus events are refused and counted");
    }
    spoolFrames_ = spool_->frames();
    spoolBytes_ = spool_->bytes();
    return ok;
}

void AuditWriter::tryConnect() {
    lastConnectAttempt_ = std::chrono::steady_clock::now();
    try {
        store_ = std::make_unique<AuditStore>(AuditStore::connect(*options_.database));
        dbConnected_ = true;
        log_.info("audit database reachable again");
    } catch (const DbError&) {
        store_.reset();
        dbConnected_ = false;
    }
}

void AuditWriter::replay() {
    std::vector<AuditRecord> records;
    std::vector<AuditCheckpoint> cps;
    bool ok = true;
    uint64_t count = 0;
    auto write = [&] {
        if (!writeDb(records, cps, true)) return false;
        count += records.size();
        if (!records.empty()) {
            durableSeq_ = std::max(durableSeq_, records.back().seq);
            if (durableSeq_ == records.back().seq) durableHead_ = records.back().hash;
        }
        records.clear();
        cps.clear();
        return true;
    };
    // ON CONFLICT DO NOTHING: a replay interrupted half-way simply starts over.
    spool_->forEach([&](std::string&& p) {
        JsonPtr j = jsonParse(p);
        if (jsonString(j.get(), "k") == "c")
            cps.push_back(cpFromJson(j.get()));
        else
            records.push_back(AuditRecordCodec::fromJson(j.get()));
        if (records.size() + cps.size() >= options_.batchSize * 4) ok = write();
        return ok;
    });
    if (ok && (!records.empty() || !cps.empty())) ok = write();
    if (!ok) return;
    replayed_ += count;
    spool_->clear();
    spoolFrames_ = 0;
    spoolBytes_ = 0;
    spoolFull_ = false;
    saveHead();
    log_.info("audit spool replayed: " + std::to_string(count) + " records");
}

void AuditWriter::saveHead() {
    // After a database commit: the head survives a restart while the database is unreachable.
    headFile_->save(durableSeq_, durableHead_);
}

AuditWriter::Stats AuditWriter::stats() const {
    Stats s{};
    s.received = received_;
    s.refused = refused_;
    s.processed = processed_;
    s.queued = queue_.size();
    s.written = written_;
    s.spooledTotal = spooledTotal_;
    s.spoolFrames = spoolFrames_;
    s.spoolBytes = spoolBytes_;
    s.replayed = replayed_;
    s.checkpoints = checkpoints_;
    s.dbFailures = dbFailures_;
    s.spoolFullEvents = spoolFullEvents_;
    s.keptFields = kept_;
    s.droppedByPolicy = droppedPolicy_;
    s.droppedUnknown = droppedUnknown_;
    s.pseudonymized = pseudonymized_;
    s.coarsened = coarsened_;
    s.patternHits = patternHits_;
    s.headSeq = headSeq_;
    s.committedSeq = committedSeq_;
    s.dbConnected = dbConnected_;
    s.spoolFull = spoolFull_;
    s.lastCommittedEventUs = lastCommittedUs_;
    for (size_t i = 0; i < byType_.size(); ++i) s.byType[i] = byType_[i];
    return s;
}

}  // namespace hipaa::audit
