// SPDX-License-Identifier: GPL-3.0-or-later
// The writer without a database (spool only): events are scrubbed, chained and spooled, checkpoints
// are signed, shutdown flushes, and a restart continues the same chain from the spool.
#include "AuditChain.hpp"
#include "AuditRecordCodec.hpp"
#include "AuditWriter.hpp"
#include "TempDir.hpp"

#include "hipaa/Ed25519Verifier.hpp"
#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

using namespace hipaa;
using namespace hipaa::audit;
using hipaa::test::TempDir;

namespace {

const char* kPolicy = R"(
envelope: { keep = ["type", "timestamp", "session_id"] }
session: { type = 1  keep = ["event.name"] }
videoroom: { type = 64 plugin = "janus.plugin.videoroom" keep = ["event.plugin", "event.data.event", "event.data.room"]
             pseudonymize = ["event.data.display"] }
)";

AuditWriterOptions options(const TempDir& dir) {
    AuditWriterOptions o;
    o.instanceId = "unit-gw";
    o.spoolDir = dir.file("spool");
    o.spoolKey = Bytes(32, 1);
    o.checkpointEvery = 3;
    o.queueCapacity = 1024;
    return o;
}

struct Spooled {
    std::vector<AuditRecord> records;
    std::vector<JsonPtr> checkpoints;
};

Spooled readSpool(const TempDir& dir) {
    Spooled out;
    AuditSpool s(dir.file("spool") + "/unit-gw.spool", Bytes(32, 1), 1 << 30);
    s.forEach([&](std::string&& p) {
        JsonPtr j = jsonParse(p);
        if (jsonString(j.get(), "k") == "r")
            out.records.push_back(AuditRecordCodec::fromJson(j.get()));
        else
            out.checkpoints.push_back(std::move(j));
        return true;
    });
    return out;
}

}  // namespace

TEST(AuditWriter, SpoolsScrubbedChainedRecordsAndSignedCheckpointsAndResumesTheChain) {
    TempDir dir;
    AuditPolicy policy = AuditPolicy::fromText(kPolicy);
    Pseudonymizer ps(Bytes(32, 2));
    Ed25519Signer signer(Bytes(32, 3));
    {
        AuditWriter w(options(dir), policy, ps, signer, Logger());
        for (int i = 0; i < 4; ++i) {
            JsonPtr ev = jsonParse(
                R"({"type":64,"timestamp":1795382881891879,"session_id":5,"event":{"plugin":"janus.plugin.videoroom",
                "data":{"event":"joined","room":1234,"display":"Alice Patient"}}})");
            w.enqueue(ev.get());
        }
    }  // destructor: flush
    Spooled s = readSpool(dir);
    ASSERT_EQ(s.records.size(), 4u);
    Digest256 prev{};
    for (size_t i = 0; i < s.records.size(); ++i) {
        const AuditRecord& r = s.records[i];
        EXPECT_EQ(r.seq, static_cast<int64_t>(i + 1));
        EXPECT_EQ(r.prevHash, prev);
        EXPECT_EQ(AuditChain::hashOf(r), r.hash);
        EXPECT_EQ(r.event.find("Alice"), std::string::npos);
        EXPECT_EQ(r.actor, ps.value("display", "Alice Patient"));
        EXPECT_EQ(r.room, "1234");
        prev = r.hash;
    }
    // checkpoint_every = 3 (checked per batch) or the final one at shutdown: the head is signed, and
    // the signatures verify with the public key alone.
    ASSERT_GE(s.checkpoints.size(), 1u);
    EXPECT_EQ(jsonInt(s.checkpoints.back().get(), "seq"), 4);
    Ed25519Verifier v(signer.publicKey());
    for (const auto& cp : s.checkpoints) {
        int64_t seq = jsonInt(cp.get(), "seq").value();
        Digest256 head = s.records[static_cast<size_t>(seq - 1)].hash;
        auto sig = hexDecode(jsonString(cp.get(), "signature").value());
        EXPECT_TRUE(v.verify(
            AuditChain::checkpointMessage("unit-gw", seq, head, jsonInt(cp.get(), "signed_at_us").value()), *sig));
    }

    // A restart continues from the spool's head.
    {
        AuditWriter w(options(dir), policy, ps, signer, Logger());
        // The constructor resumed from the spool's head (read before enqueueing: the writer thread may
        // chain the new event at once).
        EXPECT_EQ(w.stats().headSeq, 4u);
        JsonPtr ev = jsonParse(R"({"type":1,"timestamp":1795382881891999,"session_id":6,"event":{"name":"created"}})");
        w.enqueue(ev.get());
    }
    s = readSpool(dir);
    ASSERT_EQ(s.records.size(), 5u);
    EXPECT_EQ(s.records[4].seq, 5);
    EXPECT_EQ(s.records[4].prevHash, s.records[3].hash);
    EXPECT_EQ(s.records[4].action, "session.created");
}

TEST(AuditWriter, RefusedEventsAreCountedAndRecordedOnTheChain) {
    TempDir dir;
    AuditPolicy policy = AuditPolicy::fromText(kPolicy);
    Pseudonymizer ps(Bytes(32, 2));
    Ed25519Signer signer(Bytes(32, 3));
    AuditWriterOptions o = options(dir);
    o.queueCapacity = 1;
    o.checkpointEvery = 1000000;
    uint64_t refused = 0;
    {
        AuditWriter w(o, policy, ps, signer, Logger());
        JsonPtr ev = jsonParse(R"({"type":1,"timestamp":1795382881891999,"event":{"name":"created"}})");
        for (int i = 0; i < 2000; ++i) w.enqueue(ev.get());
        refused = w.stats().refused;
    }
    ASSERT_GT(refused, 0u) << "a one-slot queue under a burst refuses some events";
    Spooled s = readSpool(dir);
    uint64_t noted = 0;
    for (const auto& r : s.records)
        if (r.action == "audit.events_refused")
            noted += static_cast<uint64_t>(jsonInt(jsonParse(r.event).get(), "refused").value());
    EXPECT_EQ(noted, refused);
    size_t stored = 0;
    for (const auto& r : s.records) stored += r.action == "session.created";
    EXPECT_EQ(stored, 2000 - refused);
}

// Large batches are scrubbed on two threads: the trail must still be in queue order, chained, and the
// counters must add up both scrubbers.
TEST(AuditWriter, LargeBatchesKeepQueueOrderAndCountBothScrubbers) {
    TempDir dir;
    AuditPolicy policy = AuditPolicy::fromText(kPolicy);
    Pseudonymizer ps(Bytes(32, 2));
    Ed25519Signer signer(Bytes(32, 3));
    constexpr int kEvents = 3000;
    {
        AuditWriterOptions o = options(dir);
        o.checkpointEvery = 1000;
        o.batchSize = 1000;
        o.queueCapacity = 4096;
        AuditWriter w(o, policy, ps, signer, Logger());
        std::vector<JsonPtr> events;
        for (int i = 1; i <= kEvents; ++i)
            events.push_back(jsonParse(
                R"({"type":64,"timestamp":1795382881891879,"session_id":)" + std::to_string(i) +
                R"(,"event":{"plugin":"janus.plugin.videoroom","data":{"event":"joined","room":7,"display":"Alice )" +
                std::to_string(i % 7) + R"("}}})"));
        for (auto& e : events) w.enqueue(e.get());
        for (int t = 0; t < 1000 && w.stats().processed < kEvents; ++t)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        AuditWriter::Stats st = w.stats();
        EXPECT_EQ(st.processed, static_cast<uint64_t>(kEvents));
        EXPECT_EQ(st.pseudonymized, static_cast<uint64_t>(kEvents));
        EXPECT_EQ(st.byType[6], static_cast<uint64_t>(kEvents));  // type 64
    }
    Spooled s = readSpool(dir);
    ASSERT_EQ(s.records.size(), static_cast<size_t>(kEvents));
    Digest256 prev{};
    for (size_t i = 0; i < s.records.size(); ++i) {
        const AuditRecord& r = s.records[i];
        EXPECT_EQ(r.seq, static_cast<int64_t>(i + 1));
        EXPECT_EQ(r.sessionId, static_cast<int64_t>(i + 1));
        EXPECT_EQ(r.prevHash, prev);
        EXPECT_EQ(AuditChain::hashOf(r), r.hash);
        EXPECT_EQ(r.actor, ps.value("display", "Alice " + std::to_string((i + 1) % 7)));
        prev = r.hash;
    }
}

// The writer thread hands chained batches (of at most batch_size / 2 events) to the committer thread
// through one slot: whatever the batch size, the spool receives every record once, in chain order.
TEST(AuditWriter, BatchesReachTheCommitterInChainOrderForEveryBatchSize) {
    AuditPolicy policy = AuditPolicy::fromText(kPolicy);
    Pseudonymizer ps(Bytes(32, 2));
    Ed25519Signer signer(Bytes(32, 3));
    for (size_t batch : {1u, 2u, 3u, 7u, 600u}) {
        SCOPED_TRACE("batch_size " + std::to_string(batch));
        TempDir dir;
        constexpr int kEvents = 400;
        {
            AuditWriterOptions o = options(dir);
            o.batchSize = batch;
            o.checkpointEvery = 50;
            AuditWriter w(o, policy, ps, signer, Logger());
            for (int i = 1; i <= kEvents; ++i) {
                JsonPtr ev = jsonParse(R"({"type":1,"timestamp":1795382881891999,"session_id":)" + std::to_string(i) +
                                       R"(,"event":{"name":"created"}})");
                w.enqueue(ev.get());
            }
        }
        Spooled s = readSpool(dir);
        ASSERT_EQ(s.records.size(), static_cast<size_t>(kEvents));
        Digest256 prev{};
        for (size_t i = 0; i < s.records.size(); ++i) {
            const AuditRecord& r = s.records[i];
            ASSERT_EQ(r.seq, static_cast<int64_t>(i + 1));
            ASSERT_EQ(r.sessionId, static_cast<int64_t>(i + 1));
            ASSERT_EQ(r.prevHash, prev);
            ASSERT_EQ(AuditChain::hashOf(r), r.hash);
            prev = r.hash;
        }
        // Every checkpoint signs a head that is already in the spool before it.
        ASSERT_FALSE(s.checkpoints.empty());
        EXPECT_EQ(jsonInt(s.checkpoints.back().get(), "seq"), kEvents);
        for (const auto& cp : s.checkpoints) {
            int64_t seq = jsonInt(cp.get(), "seq").value();
            ASSERT_GE(seq, 1);
            ASSERT_LE(seq, kEvents);
            EXPECT_EQ(jsonString(cp.get(), "head_hash").value(),
                      hexEncode(s.records[static_cast<size_t>(seq - 1)].hash));
        }
    }
}

// Spool full and no database: the committer keeps its batch, the writer stops taking events, the
// queue refuses and counts; shutdown then gives up on the records in hand (and says so) instead of
// waiting forever, and what reached the spool is a gap-free prefix of the chain.
TEST(AuditWriter, SpoolFullStopsTakingEventsAndShutdownDoesNotHang) {
    TempDir dir;
    AuditPolicy policy = AuditPolicy::fromText(kPolicy);
    Pseudonymizer ps(Bytes(32, 2));
    Ed25519Signer signer(Bytes(32, 3));
    AuditWriterOptions o = options(dir);
    o.spoolMaxBytes = 16 * 1024;
    o.batchSize = 10;
    o.retryInterval = std::chrono::milliseconds(20);
    o.checkpointEvery = 1000000;
    uint64_t refused = 0;
    std::mutex logMutex;
    std::vector<std::string> errors;
    Logger log("test", [&](LogLevel level, std::string_view m) {
        std::lock_guard lock(logMutex);
        if (level == LogLevel::Error) errors.emplace_back(m);
    });
    auto started = std::chrono::steady_clock::now();
    {
        AuditWriter w(o, policy, ps, signer, log);
        JsonPtr ev = jsonParse(R"({"type":1,"timestamp":1795382881891999,"session_id":1,"event":{"name":"created"}})");
        for (int i = 0; i < 5000; ++i) {
            w.enqueue(ev.get());
            if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        for (int t = 0; t < 500 && !w.stats().spoolFull; ++t)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        AuditWriter::Stats st = w.stats();
        EXPECT_TRUE(st.spoolFull);
        EXPECT_EQ(st.spoolFullEvents, 1u);
        refused = st.refused;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
    EXPECT_GT(refused, 0u) << "a 1024-event queue behind a full spool refuses part of a 5000-event burst";
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_NE(errors[0].find("ALERT audit spool full"), std::string::npos);
    EXPECT_NE(errors[1].find("could be neither stored nor spooled at shutdown"), std::string::npos);
    Spooled s = readSpool(dir);
    ASSERT_FALSE(s.records.empty());
    Digest256 prev{};
    for (size_t i = 0; i < s.records.size(); ++i) {
        ASSERT_EQ(s.records[i].seq, static_cast<int64_t>(i + 1));
        ASSERT_EQ(s.records[i].prevHash, prev);
        prev = s.records[i].hash;
    }
}
