// SPDX-License-Identifier: GPL-3.0-or-later
// PostgreSQL stopped under continuous events, then started again: every event is in the table once,
// in order, and the chain verifies. The outage lasts HIPAA_AUDIT_OUTAGE_SECONDS (default 12 s to keep
// CI short; a 60 s run is in docs/audit.md). Uses its own PostgreSQL cluster (the shared
// test cluster cannot be stopped).
#include "AuditFixture.hpp"
#include "FreePort.hpp"
#include "SqlFixtures.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

using namespace hipaa;
using namespace hipaa::test;

namespace {

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

class PrivateCluster {
public:
    PrivateCluster() : port_(freeLoopbackPort()) {
        ::chmod(dir_.path().c_str(), 0755);
        start();
        conninfo_ = "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=hipaa";
        if (sh("bash " + std::string(HIPAA_SOURCE_DIR) + "/scripts/migrate.sh '" + conninfo_ + "' >/dev/null") != 0)
            throw std::runtime_error("migrate failed");
    }
    ~PrivateCluster() { stop(); }
    void start() {
        if (sh("bash " + std::string(HIPAA_SOURCE_DIR) + "/scripts/pg.sh start '" + dir_.path() + "/pg' " +
               std::to_string(port_) + " >/dev/null") != 0)
            throw std::runtime_error("pg.sh start failed");
    }
    void stop() {
        sh("bash " + std::string(HIPAA_SOURCE_DIR) + "/scripts/pg.sh stop '" + dir_.path() + "/pg' >/dev/null 2>&1");
    }
    const std::string& conninfo() const { return conninfo_; }

private:
    TempDir dir_;
    int port_;
    std::string conninfo_;
};

int outageSeconds() {
    const char* e = std::getenv("HIPAA_AUDIT_OUTAGE_SECONDS");
    int s = e ? std::atoi(e) : 12;
    return s > 0 ? s : 12;
}

}  // namespace

TEST(AuditOutage, DatabaseStoppedUnderLoadLosesNothingAndTheChainHolds) {
    PrivateCluster pg;
    JanusProcess janus;
    setAuditKey(janus, "conninfo", "\"" + pg.conninfo() + " connect_timeout=2\"");
    setAuditKey(janus, "instance_id", "\"it-outage\"");
    setAuditKey(janus, "retry_interval_ms", "300");
    setAuditKey(janus, "statement_timeout_ms", "3000");
    setAuditKey(janus, "checkpoint_every", "100");
    janus.start();
    JanusClient client(janus);

    std::atomic<bool> stop{false};
    std::atomic<int> loops{0}, failures{0};
    std::thread load([&] {
        JanusClient c(janus);
        while (!stop) {
            try {
                uint64_t s = c.createSession();
                uint64_t h = c.attach(s, "janus.plugin.echotest");
                c.detach(s, h);
                c.destroySession(s);
                ++loops;
            } catch (...) {
                ++failures;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    std::this_thread::sleep_for(std::chrono::seconds(2));
    pg.stop();
    auto outage = std::chrono::seconds(outageSeconds());
    std::this_thread::sleep_for(outage / 2);
    JsonPtr during = auditRequest(client, R"({"request":"stats"})");
    std::this_thread::sleep_for(outage - outage / 2);
    pg.start();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    stop = true;
    load.join();

    EXPECT_EQ(jsonBool(during.get(), "db_connected"), false) << jsonDump(during.get());
    EXPECT_GT(statInt(during.get(), "spool_frames"), 0) << jsonDump(during.get());
    JsonPtr s = waitStats(client, settled, std::chrono::seconds(60));
    ASSERT_TRUE(settled(s.get())) << jsonDump(s.get());
    EXPECT_GT(statInt(s.get(), "replayed"), 0);
    EXPECT_EQ(jsonInt(json_object_get(s.get(), "events"), "refused_queue_full"), 0);
    int64_t received = jsonInt(json_object_get(s.get(), "events"), "received").value_or(-1);
    EXPECT_GT(loops.load(), 50);
    EXPECT_EQ(failures.load(), 0);

    PgConn conn = PgConn::connect({pg.conninfo()});
    // Once and in order: seq 1..N without gaps or duplicates, and one row per Janus event received.
    PgResult r = conn.exec(
        "SELECT count(*), count(DISTINCT seq), min(seq), max(seq), "
        "count(*) FILTER (WHERE janus_type > 0) FROM audit_record WHERE instance_id = 'it-outage'");
    int64_t rows = std::stoll(std::string(r.value(0, 0)));
    EXPECT_EQ(std::string(r.value(0, 1)), std::string(r.value(0, 0)));
    EXPECT_EQ(std::string(r.value(0, 2)), "1");
    EXPECT_EQ(std::stoll(std::string(r.value(0, 3))), rows);
    // Admin requests (these stats polls) add transport events of their own: at least what was counted.
    EXPECT_GE(std::stoll(std::string(r.value(0, 4))), received) << "every event Janus handed over is stored";
    // Exactly one row per session/handle event of the load.
    for (const char* action : {"session.created", "session.destroyed", "handle.attached", "handle.detached"})
        EXPECT_EQ(
            std::stoll(scalar(conn, std::string("SELECT count(*) FROM audit_record WHERE action = '") + action + "'")),
            loops.load())
            << action;
    // Events of one session appear in Janus' order: created before destroyed, by seq.
    EXPECT_EQ(scalar(conn,
                     "SELECT count(*) FROM audit_record c JOIN audit_record d ON c.session_id = d.session_id "
                     "WHERE c.action = 'session.created' AND d.action = 'session.destroyed' AND d.seq < c.seq"),
              "0");
    JsonPtr v = auditRequest(client, R"({"request":"verify","instance_id":"it-outage"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), true) << jsonDump(v.get());
    EXPECT_GE(jsonInt(v.get(), "records_checked").value_or(0), rows);
    std::printf("outage %d s: %lld rows, %lld events received, %lld replayed from the spool\n", outageSeconds(),
                static_cast<long long>(rows), static_cast<long long>(received),
                static_cast<long long>(statInt(s.get(), "replayed")));
    EXPECT_EQ(janus.stop(), 0);
}

// kill -9 of Janus under continuous session traffic. What the handler can lose is what it accepted but
// had not yet made durable: the queue (general.queue_capacity) plus the batch in the writer's hands
// (general.batch_size: one database transaction, or one spool group commit). Events refused because
// the queue was full are a separate, counted loss. Both are configured small here, so the bound is
// tight: 1024 + 50 events. Restarted on the same database, spool and head file, Janus continues the
// chain without a gap or a duplicate.
TEST(AuditOutage, KillMinusNineLosesAtMostTheQueuePlusOneBatchAndTheRestartContinuesTheChain) {
    constexpr int64_t kQueue = 1024;  // the smallest queue_capacity the handler accepts
    constexpr int64_t kBatch = 50;
    TestDatabase db;
    JanusProcess janus;
    setAuditKey(janus, "conninfo", "\"" + db.conninfo() + "\"");
    setAuditKey(janus, "instance_id", "\"it-kill\"");
    setAuditKey(janus, "queue_capacity", std::to_string(kQueue));
    setAuditKey(janus, "batch_size", std::to_string(kBatch));
    setAuditKey(janus, "checkpoint_every", "200");
    // Only the session events of the load reach the handler: no transport event per HTTP request.
    std::string http = readFile(janus.configFile("janus.transport.http.jcfg"));
    http.replace(http.find("general: {"), 10, "general: {\n\tevents = false");
    janus.writeConfig("janus.transport.http.jcfg", http);
    janus.start();

    // Janus emits session.created / session.destroyed before it answers create / destroy: an answered
    // call is an event Janus was asked to produce. Unpaced (one client as fast as Janus answers), the
    // writer usually lags and the queue is full at the kill; HIPAA_AUDIT_KILL_PACE_US=N waits N us
    // between sessions (3000: a rate the writer sustains, the queue is nearly empty).
    const char* paceEnv = std::getenv("HIPAA_AUDIT_KILL_PACE_US");
    const auto pace = std::chrono::microseconds(paceEnv ? std::atoi(paceEnv) : 0);
    std::atomic<bool> stop{false}, hold{false}, held{false};
    std::atomic<int64_t> asked{0};
    std::thread load([&] {
        JanusClient c(janus);
        auto next = std::chrono::steady_clock::now();
        while (!stop) {
            if (hold) {
                held = true;
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            try {
                uint64_t s = c.createSession();
                ++asked;
                c.destroySession(s);
                ++asked;
            } catch (...) {
                break;  // Janus is gone
            }
            next += pace;
            if (pace.count() > 0) std::this_thread::sleep_until(next);
        }
    });
    std::this_thread::sleep_for(std::chrono::seconds(4));
    // Before the probe, Janus' own event dispatcher hands every event of an answered call to the handler
    // (an event still inside Janus is no handler's to lose, and could be refused after the probe
    // unseen): the probe is taken once the handler's `received` stood still for 150 ms (a fixed 100 ms
    // pause was too short under CI load: 16 events arrived after it). The writer keeps working through
    // its queue, then SIGKILL.
    hold = true;
    while (!held) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    JanusClient probe(janus);
    auto received = [](const JsonPtr& s) {
        return jsonInt(json_object_get(s.get(), "events"), "received").value_or(-1);
    };
    JsonPtr before = auditRequest(probe, R"({"request":"stats"})");
    for (int i = 0; i < 40; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        JsonPtr again = auditRequest(probe, R"({"request":"stats"})");
        const bool still = received(again) == received(before);
        before = std::move(again);
        if (still) break;
    }
    int64_t askedAtProbe = asked.load();
    janus.kill();
    stop = true;
    load.join();
    int64_t askedTotal = asked.load();

    PgConn conn = db.connect();
    int64_t stored = std::stoll(scalar(conn,
                                       "SELECT count(*) FROM audit_record WHERE instance_id = 'it-kill' AND action IN "
                                       "('session.created', 'session.destroyed')"));
    int64_t refusedRecorded =
        std::stoll(scalar(conn,
                          "SELECT coalesce(sum((event->>'refused')::bigint), 0) FROM audit_record "
                          "WHERE instance_id = 'it-kill' AND action = 'audit.events_refused'"));
    int64_t lost = askedTotal - stored;
    const json_t* ev = json_object_get(before.get(), "events");
    int64_t refusedAtProbe = jsonInt(ev, "refused_queue_full").value_or(-1);
    // Not yet chained: in the queue, or taken from it by the writer and not chained yet (`queued` alone
    // misses a batch in the writer's hands: 16 events once).
    int64_t queuedAtProbe = jsonInt(ev, "received").value_or(0) - refusedAtProbe - jsonInt(ev, "processed").value_or(0);
    int64_t uncommittedAtProbe = statInt(before.get(), "head_seq") - statInt(before.get(), "committed_seq");
    // Refused events (queue full) are a separate loss, counted and recorded in the trail; what the kill
    // itself cost is the rest, bounded by the queue plus one batch (the load was paused at the probe,
    // so nothing was asked or refused after it).
    int64_t lostToKill = lost - refusedAtProbe;
    int64_t bound = kQueue + kBatch + (askedTotal - askedAtProbe);
    std::printf(
        "kill -9 after %lld session events asked: %lld stored, %lld lost = %lld refused (queue full, %lld of them "
        "recorded in the trail) + %lld lost to the kill; bound %lld = queue %lld + batch %lld; at the probe %lld "
        "queued, %lld chained but uncommitted\n",
        static_cast<long long>(askedTotal), static_cast<long long>(stored), static_cast<long long>(lost),
        static_cast<long long>(refusedAtProbe), static_cast<long long>(refusedRecorded),
        static_cast<long long>(lostToKill), static_cast<long long>(bound), static_cast<long long>(kQueue),
        static_cast<long long>(kBatch), static_cast<long long>(queuedAtProbe),
        static_cast<long long>(uncommittedAtProbe));
    ASSERT_GE(refusedAtProbe, 0) << jsonDump(before.get());
    EXPECT_EQ(askedTotal, askedAtProbe);
    EXPECT_GT(askedTotal, 2 * (kQueue + kBatch)) << "the load must exceed the bound, or losing everything would pass";
    EXPECT_GE(lostToKill, 0);
    EXPECT_LE(lostToKill, bound);
    EXPECT_LE(lostToKill, queuedAtProbe + uncommittedAtProbe) << "nothing committed before the probe is lost";
    EXPECT_LE(refusedRecorded, refusedAtProbe);
    // Stored in Janus' order, once each: seq 1..N, no gap.
    PgResult r = conn.exec(
        "SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0) FROM audit_record WHERE instance_id = 'it-kill'");
    int64_t rowsBefore = std::stoll(std::string(r.value(0, 0)));
    EXPECT_EQ(std::string(r.value(0, 1)), std::string(r.value(0, 0)));
    EXPECT_EQ(std::stoll(std::string(r.value(0, 2))), rowsBefore);

    // Restarted with the same configuration, keys, spool folder and head file: the chain continues
    // from the last committed record, without a gap, and verifies.
    janus.start();
    JanusClient client(janus);
    uint64_t s = client.createSession();
    client.destroySession(s);
    JsonPtr st = waitStats(client, [](const json_t* x) { return settled(x) && statInt(x, "committed_seq") > 0; });
    ASSERT_TRUE(settled(st.get())) << jsonDump(st.get());
    r = conn.exec("SELECT count(*), count(DISTINCT seq), max(seq) FROM audit_record WHERE instance_id = 'it-kill'");
    int64_t rowsAfter = std::stoll(std::string(r.value(0, 0)));
    EXPECT_GT(rowsAfter, rowsBefore + 1);
    EXPECT_EQ(std::string(r.value(0, 1)), std::string(r.value(0, 0)));
    EXPECT_EQ(std::stoll(std::string(r.value(0, 2))), rowsAfter) << "seq continues from the last committed record";
    EXPECT_EQ(
        scalar(conn,
               "SELECT count(*) FROM audit_record WHERE instance_id = 'it-kill' AND action = 'session.created' AND "
               "session_id = " +
                   std::to_string(s)),
        "1");
    JsonPtr v = auditRequest(client, R"({"request":"verify","instance_id":"it-kill"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), true) << jsonDump(v.get());
    EXPECT_GE(jsonInt(v.get(), "records_checked").value_or(0), rowsAfter)
        << jsonDump(v.get());  // + this request's own event
    EXPECT_EQ(janus.stop(), 0);
}
