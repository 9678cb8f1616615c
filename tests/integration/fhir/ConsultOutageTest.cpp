// SPDX-License-Identifier: GPL-3.0-or-later
// The FHIR server down for 60 s while consults end in the real Janus: nothing is lost, nothing is
// duplicated once it is back. ~70 s of wall time: ctest label "slow" (scripts/test.sh runs it;
// `ctest -LE slow` skips it while iterating).
#include "ConsultFixture.hpp"

#include <chrono>

using namespace hipaa;
using namespace hipaa::fhir::test;
using Clock = std::chrono::steady_clock;

TEST_F(FhirConsult, SixtySecondServerOutageLosesNothingAndDuplicatesNothing) {
    janus.start();
    server.outage();
    auto down = Clock::now();
    Consult a = consult();
    Consult b = consult();
    ASSERT_TRUE(waitFor([&] { return status("failed") == 2; })) << jsonDump(fhir(R"({"request":"pending"})").get());
    std::this_thread::sleep_until(down + std::chrono::seconds(60));
    JsonPtr s = fhir(R"({"request":"status"})");
    EXPECT_EQ(jsonInt(s.get(), "sent").value_or(-1), 0) << jsonDump(s.get());
    EXPECT_EQ(jsonInt(s.get(), "pending").value_or(-1), 2);
    EXPECT_EQ(jsonInt(s.get(), "dead").value_or(-1), 0);
    EXPECT_GE(jsonInt(s.get(), "oldest_pending_seconds").value_or(-1), 50);
    server.restore();
    auto up = Clock::now();
    ASSERT_TRUE(waitFor([&] { return status("sent") == 2; })) << jsonDump(fhir(R"({"request":"pending"})").get());
    double catchUp = std::chrono::duration<double>(Clock::now() - up).count();
    std::printf("[ outage ] both bundles sent %.1f s after the server returned\n", catchUp);

    std::vector<std::string> sent = visits("sent");
    ASSERT_EQ(sent.size(), 2u);
    for (const std::string& v : sent) EXPECT_EQ(server.count(byIdentifier("Encounter", "visit", v)), 1u) << v;
    for (const Consult* c : {&a, &b}) EXPECT_EQ(server.count(byIdentifier("DocumentReference", "note", c->note)), 1u);

    // The answer to a send can be lost on its way back (the server wrote, we saw a timeout): we
    // then send the same bundle again. Re-export both visits: still exactly one of each.
    for (const std::string& v : sent) {
        JsonPtr q = fhir(R"({"request":"export","visit_id":")" + v + R"("})");
        ASSERT_TRUE(jsonInt(q.get(), "queued")) << jsonDump(q.get());
    }
    ASSERT_TRUE(waitFor([&] { return status("sent") == 4; }));
    for (const std::string& v : sent) {
        EXPECT_EQ(server.count(byIdentifier("Encounter", "visit", v)), 1u) << v;
        JsonPtr enc = server.getJson(byIdentifier("Encounter", "visit", v));
        std::string id(
            jsonString(json_object_get(json_array_get(json_object_get(enc.get(), "entry"), 0), "resource"), "id")
                .value_or(""));
        EXPECT_EQ(server.count("Provenance?target=" + urlEncode("Encounter/" + id)), 1u) << v;
    }
    for (const Consult* c : {&a, &b}) EXPECT_EQ(server.count(byIdentifier("DocumentReference", "note", c->note)), 1u);

    // Every failed try during the outage is in the PHI-free attempt trail (backoff 0.5 s .. 4 s).
    PgConn pg = db.connect();
    int retries =
        std::stoi(std::string(pg.exec("SELECT count(*) FROM fhir_outbox_attempt WHERE result = 'retry'").value(0, 0)));
    EXPECT_GE(retries, 2 * 10) << retries;
    EXPECT_EQ(pg.exec("SELECT count(*) FROM fhir_outbox_attempt WHERE result = 'sent'").value(0, 0), "4");
}
