// Bundles per second through the durable outbox (VisitBus -> sealed PostgreSQL row -> claim ->
// HTTPS POST -> result row + attempt row) next to plain libcurl POSTs of the same kind of bundles to
// the same FHIR test server, measured in the same run. Rounds alternate between the two so that the
// server's growing in-memory repository slows both alike. Same concurrency: one sender each.
//   HIPAA_TEST_PG=<conninfo> build/tests/bench/fhir/bench_fhir_outbox [bundles_per_round] [rounds]
#include "BundleBuilder.hpp"
#include "FhirFixtures.hpp"
#include "FhirHandler.hpp"
#include "FhirTestServer.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

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
    int perRound = argc > 1 ? std::atoi(argv[1]) : 100;
    int rounds = argc > 2 ? std::atoi(argv[2]) : 4;
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
    double plainSeconds = 0, outboxSeconds = 0;
    int64_t plainOk = 0;
    for (int r = 0; r < rounds; ++r) {
      auto plainPhase = [&] {
        // Baseline: the same bundles a visit with one note makes, POSTed with libcurl directly.
        std::vector<std::string> bodies;
        for (int i = 0; i < perRound; ++i) {
            std::string v = "plain-" + std::to_string(r) + "-" + std::to_string(i);
            bodies.push_back(jsonDump(builder.build(sampleVisit(v), {sampleNote(v, "n-" + v, "Bench note text.")},
                                                    kStartUs, true).get()));
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
        }
        plainSeconds += std::chrono::duration<double>(Clock::now() - t0).count();
        std::fprintf(stderr, "round %d: plain done (%lld ok)\n", r, static_cast<long long>(plainOk));
      };
      auto outboxPhase = [&] {
        // Through the outbox: note held, visit end -> one bundle each, sent by one worker.
        int64_t before = sentCount(handler);
        for (int i = 0; i < perRound; ++i) {
            std::string v = "outbox-" + std::to_string(r) + "-" + std::to_string(i);
            bus.publish(sampleNote(v, "n-" + v, "Bench note text."));
        }
        // Let the notes be held first (separate bus queues per topic), untimed: the room publishes
        // notes during the visit, long before its end.
        for (int i = 0; i < 2000; ++i) {
            JsonPtr s = handler.handleRequest(jsonParse(R"({"request":"status"})").get());
            if (jsonInt(s.get(), "held_notes").value_or(0) >= perRound) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        auto t1 = Clock::now();
        for (int i = 0; i < perRound; ++i) bus.publish(sampleVisit("outbox-" + std::to_string(r) + "-" + std::to_string(i)));
        while (sentCount(handler) < before + perRound) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        outboxSeconds += std::chrono::duration<double>(Clock::now() - t1).count();
        std::fprintf(stderr, "round %d: outbox done\n", r);
      };
      // The server slows as its in-memory repository grows: alternate which side goes first.
      if (r % 2 == 0) {
        plainPhase();
        outboxPhase();
      } else {
        outboxPhase();
        plainPhase();
      }
    }
    int total = perRound * rounds;
    double plainRate = total / plainSeconds, outboxRate = total / outboxSeconds;
    std::printf("bundles: %d (each Encounter + DocumentReference + Provenance), %d rounds\n", total, rounds);
    std::printf("plain libcurl POST : %8.1f bundles/s (%lld of %d answered 200)\n", plainRate,
                static_cast<long long>(plainOk), total);
    std::printf("through the outbox : %8.1f bundles/s\n", outboxRate);
    std::printf("outbox overhead    : %8.1f %% (target < 20 %%)\n", (plainRate / outboxRate - 1.0) * 100.0);
    return plainOk == total ? 0 : 1;
}
