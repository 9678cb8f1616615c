// Audit handler throughput and incoming_event cost, against a raw COPY baseline in the same run.
//   HIPAA_BENCH_PG="host=127.0.0.1 port=N user=postgres dbname=postgres" bench_audit [events]
// (a superuser conninfo: the benchmark creates and drops its own database). Prints:
//   - incoming_event (AuditWriter::enqueue) cost on the caller's thread, p50/p99/max, with the writer
//     thread scrubbing, chaining and committing concurrently;
//   - events/s from the first enqueue to the last committed row (scrub + chain + COPY batches);
//   - a raw COPY of the same rows into a table of the same shape, and the ratio.
#include "AuditRecordCodec.hpp"
#include "AuditChain.hpp"
#include "AuditWriter.hpp"
#include "EventScrubber.hpp"

#include "hipaa/Errors.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

using namespace hipaa;
using namespace hipaa::audit;
using Clock = std::chrono::steady_clock;

namespace {

std::string withDb(std::string conninfo, const std::string& db) {
    auto pos = conninfo.find("dbname=");
    if (pos != std::string::npos) {
        auto end = conninfo.find(' ', pos);
        conninfo.erase(pos, end == std::string::npos ? std::string::npos : end - pos);
    }
    return conninfo + " dbname=" + db;
}

std::string readFile(const std::string& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
    const char* pg = std::getenv("HIPAA_BENCH_PG");
    if (!pg) pg = std::getenv("HIPAA_TEST_PG");
    if (!pg) {
        std::fprintf(stderr, "set HIPAA_BENCH_PG to a superuser conninfo\n");
        return 2;
    }
    const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
    std::string dbName = "audit_bench_" + std::to_string(::getpid());
    PgConn admin = PgConn::connect({withDb(pg, "postgres")});
    admin.exec("DROP DATABASE IF EXISTS " + dbName);
    admin.exec("CREATE DATABASE " + dbName);
    std::string conninfo = withDb(pg, dbName);
    if (std::system(("bash " + std::string(HIPAA_SOURCE_DIR) + "/scripts/migrate.sh '" + conninfo + "' >/dev/null").c_str()) != 0)
        return 2;

    AuditPolicy policy = AuditPolicy::fromFile(std::string(HIPAA_SOURCE_DIR) + "/conf/janus.eventhandler.hipaa.audit.policy.jcfg");
    Pseudonymizer ps(Bytes(32, 9));
    Ed25519Signer signer(Bytes(32, 10));
    // A mix of real captured events (VideoRoom join with a display name, a transport event, media stats).
    std::vector<JsonPtr> samples;
    for (const char* f : {"06-plugin-videoroom-joined.json", "02-transport.json", "21-media.json", "05-handle-attached-videoroom.json"})
        samples.push_back(jsonParse(readFile(std::string(HIPAA_SOURCE_DIR) + "/tests/unit/audit/samples/" + f)));

    // The writer thread's CPU work alone (no database): scrub + chain, and its parts.
    double scrubRate = 0, chainRate = 0;
    {
        EventScrubber scrubber(policy, ps);
        AuditChain chain("bench", 0, Digest256{});
        std::vector<AuditRecord> recs;
        recs.reserve(20000);
        auto t = Clock::now();
        for (size_t i = 0; i < 20000; ++i) recs.push_back(scrubber.scrub(samples[i % samples.size()].get()));
        scrubRate = 20000 / std::chrono::duration<double>(Clock::now() - t).count();
        t = Clock::now();
        for (auto& r : recs) chain.append(r);
        chainRate = 20000 / std::chrono::duration<double>(Clock::now() - t).count();
    }

    char dir[] = "/tmp/audit-bench-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    AuditWriterOptions o;
    o.instanceId = "bench";
    o.database = PgConn::Options{conninfo};
    o.spoolDir = std::string(dir) + "/spool";
    o.spoolKey = Bytes(32, 11);
    o.queueCapacity = std::max<size_t>(n + 16, 1024);
    o.batchSize = 2000;
    std::vector<double> costs(n);
    double seconds = 0;
    {
        AuditWriter w(o, policy, ps, signer, Logger());
        auto start = Clock::now();
        for (size_t i = 0; i < n; ++i) {
            json_t* ev = samples[i % samples.size()].get();
            auto t0 = Clock::now();
            w.enqueue(ev);
            costs[i] = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
        }
        while (w.stats().written < n) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (w.stats().refused) std::printf("WARNING: %llu refused\n", static_cast<unsigned long long>(w.stats().refused));
    }
    std::sort(costs.begin(), costs.end());
    auto pct = [&](double p) { return costs[static_cast<size_t>(p * static_cast<double>(n - 1))]; };

    // Baseline: the same rows, raw COPY into a plain table of the same shape, one transaction.
    PgConn c = PgConn::connect({conninfo});
    c.exec("CREATE TABLE copy_baseline (LIKE audit_record)");
    PgResult rows = c.exec("COPY (SELECT * FROM audit_record ORDER BY seq) TO STDOUT");
    (void)rows;
    std::string data;
    {
        PGconn* raw = c.raw();
        char* buf = nullptr;
        int len;
        while ((len = PQgetCopyData(raw, &buf, 0)) > 0) {
            data.append(buf, static_cast<size_t>(len));
            PQfreemem(buf);
        }
        while (PGresult* r = PQgetResult(raw)) PQclear(r);
    }
    // Two baselines: a bare table (no indexes), and one with the audit table's indexes and constraints
    // (the same per-row index maintenance the pipeline's COPY pays).
    c.exec("CREATE TABLE copy_indexed (LIKE audit_record INCLUDING ALL)");
    auto copyInto = [&](const std::string& table) {
        auto t0 = Clock::now();
        c.exec("BEGIN");
        c.exec("COPY " + table + " FROM STDIN");
        PQputCopyData(c.raw(), data.data(), static_cast<int>(data.size()));
        PQputCopyEnd(c.raw(), nullptr);
        while (PGresult* r = PQgetResult(c.raw())) PQclear(r);
        c.exec("COMMIT");
        double s = std::chrono::duration<double>(Clock::now() - t0).count();
        return std::stod(std::string(c.exec("SELECT count(*) FROM " + table).value(0, 0))) / s;
    };
    double copyRate = copyInto("copy_baseline");
    double indexedRate = copyInto("copy_indexed");
    double rate = static_cast<double>(n) / seconds;
    std::printf("events: %zu (real Janus 1.1.2 samples: VideoRoom join, transport, media, handle)\n", n);
    std::printf("incoming_event cost (enqueue on the caller's thread): p50 %.0f ns  p99 %.0f ns  max %.0f ns\n", pct(0.50),
                pct(0.99), costs.back());
    std::printf("audit pipeline: %.0f events/s (incoming_event -> scrub -> chain -> committed rows, %.2f s)\n", rate, seconds);
    std::printf("writer CPU alone: scrub %.0f events/s, chain %.0f records/s\n", scrubRate, chainRate);
    std::printf("raw COPY baseline: %.0f rows/s into a bare table; %.0f rows/s into a table with audit_record's indexes\n",
                copyRate, indexedRate);
    std::printf("ratio pipeline/COPY: %.2f (target >= 0.50); vs indexed COPY: %.2f; target 50000 events/s: %s; p99 target < 2000 ns: %s\n",
                rate / copyRate, rate / indexedRate, rate >= 50000 ? "met" : "NOT met", pct(0.99) < 2000 ? "met" : "NOT met");

    std::filesystem::remove_all(dir);
    admin.exec("DROP DATABASE " + dbName + " WITH (FORCE)");
    return 0;
}
