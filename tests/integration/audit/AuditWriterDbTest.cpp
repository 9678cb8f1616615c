// SPDX-License-Identifier: GPL-3.0-or-later
// The writer's committer thread against a real PostgreSQL (no Janus): commits that fail go to the
// spool in chain order, after whatever is already there; when the database accepts writes again the
// spool is replayed first, then new batches follow, and the trail is complete, in order and verifies.
#include "AuditVerifier.hpp"
#include "AuditWriterFixture.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Ed25519Verifier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

using namespace hipaa;
using namespace hipaa::audit;
using namespace hipaa::test;

namespace {

// Rows reached PostgreSQL in chain order (recorded_at is each transaction's start) and the chain and
// its checkpoints verify; returns the number of records checked.
int64_t expectCommittedInOrderAndVerified(PgConn& admin, const std::string& instance, const Ed25519Signer& signer) {
    PgResult order = admin.execParams(
        "SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY recorded_at, seq) AS prev "
        "FROM audit_record WHERE instance_id = $1) t WHERE prev IS NOT NULL AND seq < prev",
        {instance});
    EXPECT_EQ(std::string(order.value(0, 0)), "0");
    Ed25519Verifier key(signer.publicKey());
    AuditVerifier::Result v = AuditVerifier::verify(admin, instance, key);
    EXPECT_TRUE(v.ok) << v.reason;
    EXPECT_GT(v.checkpointsChecked, 0);
    return v.recordsChecked;
}

}  // namespace

class AuditWriterDb : public ::testing::Test {
protected:
    // The writer's own connections, oldest first (the first one opened is lane 0).
    PgResult writerBackends() {
        return admin.exec(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
            "pid <> pg_backend_pid() AND backend_type = 'client backend' ORDER BY backend_start");
    }

    TestDatabase db;
    TempDir dir;
    PgConn admin = db.connect();
    AuditPolicy policy = AuditPolicy::fromText(kSessionPolicy);
    Pseudonymizer ps{Bytes(32, 2)};
    Ed25519Signer signer{Bytes(32, 3)};
};

TEST_F(AuditWriterDb, FailedCommitsGoToTheSpoolInOrderAndTheReplayKeepsTheChain) {
    // A switch that makes PostgreSQL refuse every row of the trail (COPY and the replay's INSERT).
    admin.exec("CREATE TABLE test_refuse (refuse boolean NOT NULL)");
    admin.exec("INSERT INTO test_refuse VALUES (false)");
    admin.exec("GRANT SELECT ON test_refuse TO janus_audit_writer");  // the trigger runs as the writer's login
    admin.exec(
        "CREATE FUNCTION test_refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF (SELECT refuse FROM test_refuse) THEN RAISE EXCEPTION 'test: trail refused'; END IF; RETURN NEW; END $$");
    admin.exec(
        "CREATE TRIGGER test_refuse BEFORE INSERT ON audit_record FOR EACH ROW EXECUTE FUNCTION test_refuse_row()");

    AuditWriterOptions o = writerOptions(db, dir, "db-gw", 20, 25, 4096);  // the writer hands over batches of 6
    int next = 1;
    auto push = [&](AuditWriter& w, int count) {
        for (int i = 0; i < count; ++i, ++next) {
            JsonPtr ev = jsonParse(R"({"type":1,"timestamp":1795382881891999,"session_id":)" + std::to_string(next) +
                                   R"(,"event":{"name":"created"}})");
            w.enqueue(ev.get());
        }
    };
    {
        AuditWriter w(o, policy, ps, signer, Logger());
        push(w, 300);
        ASSERT_TRUE(waitFor([&] { return w.stats().written == 300; }));

        // Refused: batches go to the spool (the committer keeps retrying the database meanwhile).
        admin.exec("UPDATE test_refuse SET refuse = true");
        push(w, 300);
        ASSERT_TRUE(waitFor([&] {
            auto s = w.stats();
            return s.processed == 600 && s.written + s.spooledTotal == s.headSeq;
        }));
        AuditWriter::Stats st = w.stats();
        EXPECT_GT(st.dbFailures, 0u);
        EXPECT_GT(st.spoolFrames, 0u);
        EXPECT_GE(st.spooledTotal, 250u) << "nearly all of the second 300 went to the spool";
        EXPECT_FALSE(st.dbConnected && st.spoolFrames == 0);

        // Accepted again: the spool is replayed first, then new batches follow.
        admin.exec("UPDATE test_refuse SET refuse = false");
        push(w, 300);
        ASSERT_TRUE(waitFor([&] {
            auto s = w.stats();
            return s.processed == 900 && s.spoolFrames == 0 && s.committedSeq == s.headSeq;
        }));
        st = w.stats();
        EXPECT_GE(st.replayed, st.spooledTotal);
    }

    PgResult rows = admin.exec("SELECT seq, session_id FROM audit_record WHERE instance_id = 'db-gw' ORDER BY seq");
    ASSERT_EQ(rows.rows(), 900);
    for (int i = 0; i < rows.rows(); ++i) {
        ASSERT_EQ(std::stoll(std::string(rows.value(i, 0))), i + 1);
        ASSERT_EQ(std::stoll(std::string(rows.value(i, 1))), i + 1) << "queue order kept across the outage";
    }
    // Rows reached PostgreSQL in chain order too: the spool replay before anything newer.
    EXPECT_EQ(expectCommittedInOrderAndVerified(admin, "db-gw", signer), 900);
}

// Two connections: the committer loads batch N+1 on one while it commits batch N on the other. Killing
// either backend mid-load (as a failover or an admin's pg_terminate_backend would) rolls back what
// was in flight on it; that batch and the one loaded after it are stored the one-connection way, in
// order, and the trail has every event once, in queue order, and verifies.
TEST_F(AuditWriterDb, TwoConnectionsCommitInChainOrderAndSurviveLosingEitherBackend) {
    AuditWriterOptions o = writerOptions(db, dir, "lanes-gw", 30, 100, 100000);  // batches of 10
    constexpr int kEvents = 20000;
    std::atomic<int> pushed{0};
    uint64_t failures = 0;
    {
        AuditWriter w(o, policy, ps, signer, Logger());
        ASSERT_TRUE(waitFor([&] { return writerBackends().rows() == 2; })) << "the writer holds two connections";
        std::thread load([&] {
            for (int i = 1; i <= kEvents; ++i) {
                JsonPtr ev = jsonParse(R"({"type":1,"timestamp":1795382881891999,"session_id":)" + std::to_string(i) +
                                       R"(,"event":{"name":"created"}})");
                w.enqueue(ev.get());
                pushed = i;
                if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
            }
        });
        // Kill the second lane's backend, then the first one's, while batches are in flight.
        for (int victim : {1, 0}) {
            ASSERT_TRUE(waitFor([&] { return w.stats().written > 0 && writerBackends().rows() == 2; }));
            uint64_t before = w.stats().written;
            ASSERT_TRUE(waitFor([&] { return w.stats().written > before + 500; }));
            std::string pid(writerBackends().value(victim, 0));
            admin.exec("SELECT pg_terminate_backend(" + pid + ")");
        }
        load.join();
        ASSERT_TRUE(waitFor([&] {
            auto s = w.stats();
            return s.processed == static_cast<uint64_t>(kEvents) && s.committedSeq == s.headSeq && s.spoolFrames == 0;
        }));
        failures = w.stats().dbFailures;
    }
    EXPECT_GE(failures, 2u) << "both kills hit a connection in use";

    PgResult rows = admin.exec(
        "SELECT seq, session_id FROM audit_record WHERE instance_id = 'lanes-gw' AND janus_type = 1 ORDER BY seq");
    ASSERT_EQ(rows.rows(), kEvents);
    for (int i = 0; i < rows.rows(); ++i)
        ASSERT_EQ(std::stoll(std::string(rows.value(i, 1))), i + 1) << "queue order kept at row " << i;
    // Commits in chain order: each transaction began after the one before it.
    EXPECT_GE(expectCommittedInOrderAndVerified(admin, "lanes-gw", signer), kEvents);
}

// A connection lost while idle (a pooler's or a firewall's timeout, a failover of one link): the next
// batch finds it dead, and the writer goes on with the other connection at once, spooling nothing.
TEST_F(AuditWriterDb, LosingOneConnectionSpoolsNothingWhileTheOtherWorks) {
    // A retry interval far longer than the test: the lost connection is not back before the batch.
    AuditWriterOptions o = writerOptions(db, dir, "one-lane-gw", 30, 50, 4096);
    o.retryInterval = std::chrono::seconds(30);
    AuditWriter w(o, policy, ps, signer, Logger());
    ASSERT_TRUE(waitFor([&] { return writerBackends().rows() == 2; }));
    int next = 1;
    auto pushAndWait = [&](int count) {
        for (int i = 0; i < count; ++i, ++next) {
            JsonPtr ev = jsonParse(R"({"type":1,"timestamp":1795382881891999,"session_id":)" + std::to_string(next) +
                                   R"(,"event":{"name":"created"}})");
            w.enqueue(ev.get());
        }
        return waitFor([&] {
            auto s = w.stats();
            return s.processed == static_cast<uint64_t>(next - 1) && s.committedSeq == s.headSeq;
        });
    };
    ASSERT_TRUE(pushAndWait(100));
    // The first connection the writer opened is the one every batch starts on.
    std::string first(writerBackends().value(0, 0));
    admin.exec("SELECT pg_terminate_backend(" + first + ")");
    ASSERT_TRUE(waitFor([&] { return writerBackends().rows() == 1; }));
    ASSERT_TRUE(pushAndWait(100));
    AuditWriter::Stats st = w.stats();
    EXPECT_GE(st.dbFailures, 1u) << "the dead connection was used and noticed";
    EXPECT_EQ(st.spooledTotal, 0u) << "the other connection took the batches";
    EXPECT_EQ(st.written, st.headSeq);
    EXPECT_TRUE(st.dbConnected);
    EXPECT_GE(expectCommittedInOrderAndVerified(admin, "one-lane-gw", signer), 200);
}
