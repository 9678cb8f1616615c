// PostgreSQL stopped under continuous events, then started again: every event is in the table once,
// in order, and the chain verifies. The outage lasts HIPAA_AUDIT_OUTAGE_SECONDS (default 12 s to keep
// CI short; the issue's 60 s run is in docs/audit.md). Uses its own PostgreSQL cluster (the shared
// test cluster cannot be stopped).
#include "AuditFixture.hpp"
#include "FreePort.hpp"
#include "TempDir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <cstdlib>

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
        if (sh("bash " + std::string(HIPAA_SOURCE_DIR) + "/scripts/pg.sh start '" + dir_.path() + "/pg' " + std::to_string(port_) +
               " >/dev/null") != 0)
            throw std::runtime_error("pg.sh start failed");
    }
    void stop() { sh("bash " + std::string(HIPAA_SOURCE_DIR) + "/scripts/pg.sh stop '" + dir_.path() + "/pg' >/dev/null 2>&1"); }
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
    PgResult r = conn.exec("SELECT count(*), count(DISTINCT seq), min(seq), max(seq), "
                           "count(*) FILTER (WHERE janus_type > 0) FROM audit_record WHERE instance_id = 'it-outage'");
    int64_t rows = std::stoll(std::string(r.value(0, 0)));
    EXPECT_EQ(std::string(r.value(0, 1)), std::string(r.value(0, 0)));
    EXPECT_EQ(std::string(r.value(0, 2)), "1");
    EXPECT_EQ(std::stoll(std::string(r.value(0, 3))), rows);
    // Admin requests (these stats polls) add transport events of their own: at least what was counted.
    EXPECT_GE(std::stoll(std::string(r.value(0, 4))), received) << "every event Janus handed over is stored";
    // Exactly one row per session/handle event of the load.
    for (const char* action : {"session.created", "session.destroyed", "handle.attached", "handle.detached"})
        EXPECT_EQ(std::stoll(scalar(conn, std::string("SELECT count(*) FROM audit_record WHERE action = '") + action + "'")),
                  loops.load())
            << action;
    // Events of one session appear in Janus' order: created before destroyed, by seq.
    EXPECT_EQ(scalar(conn, "SELECT count(*) FROM audit_record c JOIN audit_record d ON c.session_id = d.session_id "
                           "WHERE c.action = 'session.created' AND d.action = 'session.destroyed' AND d.seq < c.seq"),
              "0");
    JsonPtr v = auditRequest(client, R"({"request":"verify"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), true) << jsonDump(v.get());
    EXPECT_GE(jsonInt(v.get(), "records_checked").value_or(0), rows);
    std::printf("outage %d s: %lld rows, %lld events received, %lld replayed from the spool\n", outageSeconds(),
                static_cast<long long>(rows), static_cast<long long>(received),
                static_cast<long long>(statInt(s.get(), "replayed")));
    EXPECT_EQ(janus.stop(), 0);
}

TEST(AuditOutage, KillMinusNineLosesAtMostTheUncommittedBatchAndTheChainContinues) {
    PrivateCluster pg;
    JanusProcess janus;
    setAuditKey(janus, "conninfo", "\"" + pg.conninfo() + "\"");
    setAuditKey(janus, "instance_id", "\"it-kill\"");
    setAuditKey(janus, "batch_size", "200");
    // The documented static bound of a crash: queue_capacity + batch_size (docs/audit.md).
    constexpr int64_t kQueueCapacity = 4096, kBatch = 200;
    setAuditKey(janus, "queue_capacity", std::to_string(kQueueCapacity));
    janus.start();
    std::atomic<bool> stop{false};
    std::atomic<int64_t> created{0};
    std::thread load([&] {
        JanusClient c(janus);
        while (!stop) {
            try {
                uint64_t s = c.createSession();
                ++created;  // Janus emitted session.created before it answered
                c.destroySession(s);
            } catch (...) {
                break;  // Janus is gone
            }
        }
    });
    std::this_thread::sleep_for(std::chrono::seconds(3));
    JanusClient probe(janus);
    JsonPtr before = auditRequest(probe, R"({"request":"stats"})");
    int64_t createdAtProbe = created.load();
    janus.kill();
    stop = true;
    load.join();
    PgConn conn = PgConn::connect({pg.conninfo()});
    int64_t stored = std::stoll(scalar(conn, "SELECT count(*) FROM audit_record WHERE action = 'session.created'"));
    int64_t lost = created.load() - stored;
    // The bound: what had not reached PostgreSQL when Janus died = the queue, the batch in the writer's
    // hands (<= batch_size) and the events of the few sessions created between the probe and the kill.
    int64_t queued = statInt(before.get(), "queued");
    int64_t inFlight = statInt(before.get(), "head_seq") - statInt(before.get(), "committed_seq");
    int64_t bound = queued + inFlight + 200 + (created.load() - createdAtProbe);
    std::printf("kill -9 after %lld sessions: %lld session.created rows, %lld lost; at the probe just before: "
                "%lld events queued, %lld chained but uncommitted (bound %lld events)\n",
                static_cast<long long>(created.load()), static_cast<long long>(stored), static_cast<long long>(lost),
                static_cast<long long>(queued), static_cast<long long>(inFlight), static_cast<long long>(bound));
    EXPECT_GT(created.load(), 20);
    EXPECT_GE(lost, 0);
    EXPECT_LE(lost, bound);
    EXPECT_LE(lost, kQueueCapacity + kBatch);

    // Restarted on the same database: the chain continues from the last committed record and verifies.
    JanusProcess again;
    for (const char* key : {"keys/audit-signing.key", "keys/audit-spool.key", "keys/pseudonym.key"})
        std::filesystem::copy_file(janus.configFile(key), again.configFile(key), std::filesystem::copy_options::overwrite_existing);
    setAuditKey(again, "conninfo", "\"" + pg.conninfo() + "\"");
    setAuditKey(again, "instance_id", "\"it-kill\"");
    again.start();
    JanusClient client(again);
    uint64_t s = client.createSession();
    client.destroySession(s);
    ASSERT_TRUE(settled(waitStats(client, settled).get()));
    JsonPtr v = auditRequest(client, R"({"request":"verify"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), true) << jsonDump(v.get());
    EXPECT_EQ(again.stop(), 0);
}
