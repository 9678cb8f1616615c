// SPDX-License-Identifier: GPL-3.0-or-later
// Bundles per second through the durable outbox (VisitBus -> sealed PostgreSQL row -> claim ->
// HTTPS POST -> result row + attempt row) next to plain libcurl POSTs of the same kind of bundles to
// the same FHIR test server, measured in the same run: a warm-up, then rounds in which both sides
// send interleaved chunks (order alternating), overhead = median over the rounds. Same concurrency:
// one sender each.
//   HIPAA_TEST_PG=<conninfo> build/tests/bench/fhir/bench_fhir_outbox [bundles_per_round=40] [rounds=9] [chunk=4]
#include "BundleBuilder.hpp"
#include "FhirFixtures.hpp"
#include "FhirHandler.hpp"
#include "FhirTestServer.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

using namespace hipaa;
using namespace hipaa::fhir;
using namespace hipaa::fhir::test;
using Clock = std::chrono::steady_clock;

namespace {

int64_t sentCount(FhirHandler& h) {
    JsonPtr s = h.handleRequest(jsonParse(R"({"request":"status"})").get());
    return jsonInt(s.get(), "sent").value_or(-1);
}

}  // namespace

int main(int argc, char** argv) {
    int perRound = argc > 1 ? std::atoi(argv[1]) : 40;
    int rounds = argc > 2 ? std::atoi(argv[2]) : 9;
    int chunk = std::max(1, argc > 3 ? std::atoi(argv[3]) : 4);
    hipaa::test::TestDatabase db;
    FhirTestServer server;
    hipaa::test::TempDir keys;
    server.put("Patient/pat-1", R"({"resourceType":"Patient","id":"pat-1"})");
    server.put("Practitioner/doc-1", R"({"resourceType":"Practitioner","id":"doc-1"})");
    std::string token = hipaa::test::readFile(server.file("bearer-token"));
    while (!token.empty() && token.back() == '\n') token.pop_back();

    JsonPtr cfg = jsonParse(R"({"general":{},"outbox":{}})");
    json_t* g = json_object_get(cfg.get(), "general");
    json_t* o = json_object_get(cfg.get(), "outbox");
    jsonSet(g, "base_url", server.baseUrl());
    jsonSet(g, "ca_file", server.file("ca.pem"));
    jsonSet(g, "auth", "bearer");
    jsonSet(g, "bearer_token_file", server.file("bearer-token"));
    jsonSet(g, "identifier_system", "urn:janus-hipaa-bench");
    jsonSet(g, "instance_id", "bench");
    jsonSet(o, "conninfo", db.conninfo());
    jsonSet(o, "key_file", keys.write("outbox.key", std::string(64, 'b') + "\n", 0600));
    jsonSet(o, "workers", 1);
    jsonSet(o, "poll_interval_ms", 50);
    VisitBus bus;
    Logger log("fhir", [](LogLevel level, std::string_view line) {
        if (level <= LogLevel::Warn) std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    });
    FhirHandler handler(Config(std::move(cfg), "bench"), log, bus);
    BundleBuilder builder({"urn:janus-hipaa-bench", "bench", "", "11506-3"});

    CurlGlobal global;
    CurlEasy curl;
    int64_t plainOk = 0, plainSent = 0;
    // One block: `n` bundles POSTed with plain libcurl; seconds taken.
    auto plainBlock = [&](const std::string& tag, int n) {
        // Baseline: the same bundles a visit with one note makes, POSTed with libcurl directly.
        std::vector<std::string> bodies;
        for (int i = 0; i < n; ++i) {
            std::string v = "plain-" + tag + "-" + std::to_string(i);
            bodies.push_back(jsonDump(
                builder.build(sampleVisit(v), {sampleNote(v, "n-" + v, "Bench note text.")}, kStartUs, true).get()));
        }
        auto t0 = Clock::now();
        for (const auto& body : bodies) {
            HttpRequest req;
            req.method = "POST";
            req.url = server.baseUrl();
            req.caBundle = server.file("ca.pem");
            req.headers = {"Content-Type: application/fhir+json", "Authorization: Bearer " + token};
            req.body = body;
            if (curl.perform(req).status == 200) ++plainOk;
            ++plainSent;
        }
        return std::chrono::duration<double>(Clock::now() - t0).count();
    };
    // One block through the outbox: notes held first (untimed: the room publishes a note during the
    // visit, long before its end), then the visits end -> one bundle each, sent by one worker. Timed
    // from the first VisitEnded published to the last bundle marked sent.
    auto outboxBlock = [&](const std::string& tag, int n) {
        int64_t before = sentCount(handler);
        for (int i = 0; i < n; ++i) {
            std::string v = "outbox-" + tag + "-" + std::to_string(i);
            bus.publish(sampleNote(v, "n-" + v, "Bench note text."));
        }
        for (int i = 0; i < 4000; ++i) {
            JsonPtr s = handler.handleRequest(jsonParse(R"({"request":"status"})").get());
            if (jsonInt(s.get(), "held_notes").value_or(0) >= n) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        auto t1 = Clock::now();
        for (int i = 0; i < n; ++i) bus.publish(sampleVisit("outbox-" + tag + "-" + std::to_string(i)));
        while (sentCount(handler) < before + n) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return std::chrono::duration<double>(Clock::now() - t1).count();
    };

    // Warm-up (not counted): TLS session, HTTP/2 connection, PostgreSQL connections, JIT in the server.
    int warm = std::max(5, perRound / 5);
    plainBlock("warm", warm);
    outboxBlock("warm", warm);

    // Paired rounds: each round times `perRound` bundles per side, sent in interleaved chunks of
    // `chunk` (plain, outbox, outbox, plain, ...), so bursts of load from elsewhere on the machine and
    // the server's in-memory repository (which slows it as it grows) hit both sides alike. The
    // reported overhead is the median over the rounds.
    std::vector<double> overheads, plainRates, outboxRates;
    double plainSeconds = 0, outboxSeconds = 0;
    for (int r = 0; r < rounds; ++r) {
        double ps = 0, os = 0;
        for (int k = 0; k * chunk < perRound; ++k) {
            std::string tag = std::to_string(r) + "-" + std::to_string(k);
            int n = std::min(chunk, perRound - k * chunk);
            if ((r + k) % 2 == 0) {
                ps += plainBlock(tag, n);
                os += outboxBlock(tag, n);
            } else {
                os += outboxBlock(tag, n);
                ps += plainBlock(tag, n);
            }
        }
        plainSeconds += ps;
        outboxSeconds += os;
        plainRates.push_back(perRound / ps);
        outboxRates.push_back(perRound / os);
        overheads.push_back((os / ps - 1.0) * 100.0);
        std::fprintf(stderr, "round %d: plain %.1f/s, outbox %.1f/s, overhead %+.1f %%\n", r, perRound / ps,
                     perRound / os, overheads.back());
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        size_t n = v.size();
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    };
    int total = perRound * rounds;
    std::printf(
        "bundles: %d per side (each Encounter + DocumentReference + Provenance), %d paired rounds of %d, "
        "%d warm-up each, chunks of %d\n",
        total, rounds, perRound, warm, chunk);
    std::printf("plain libcurl POST : %8.2f bundles/s median (%.2f overall; %lld of %lld answered 200)\n",
                median(plainRates), total / plainSeconds, static_cast<long long>(plainOk),
                static_cast<long long>(plainSent));
    std::printf("through the outbox : %8.2f bundles/s median (%.2f overall)\n", median(outboxRates),
                total / outboxSeconds);
    std::printf("outbox overhead    : %+8.1f %% median of rounds, min %+.1f %%, max %+.1f %% (target < 20 %%)\n",
                median(overheads), *std::min_element(overheads.begin(), overheads.end()),
                *std::max_element(overheads.begin(), overheads.end()));
    std::printf("outbox overhead    : %+8.1f %% from the totals\n", (outboxSeconds / plainSeconds - 1.0) * 100.0);
    return plainOk == plainSent ? 0 : 1;
}
