// SPDX-License-Identifier: GPL-3.0-or-later
// Consult-level FHIR export: the real Debian Janus with the room plugin and the FHIR handler, a
// provider and a patient over the Janus HTTP API, real PostgreSQL, the FHIR test server over HTTPS.
#include "ConsultFixture.hpp"
#include "FhirFixtures.hpp"

#include "hipaa/Encoding.hpp"

using namespace hipaa;
using namespace hipaa::fhir::test;

TEST_F(FhirConsult, NoteAndVisitEndReachTheEhrWithTheRightReferences) {
    janus.start();
    Consult c = consult();
    ASSERT_FALSE(c.note.empty());
    ASSERT_TRUE(waitFor([&] { return status("sent") == 1; })) << jsonDump(fhir(R"({"request":"pending"})").get());
    EXPECT_EQ(status("held_notes"), 0);
    std::vector<std::string> sent = visits("sent");
    ASSERT_EQ(sent.size(), 1u);
    const std::string& visit = sent[0];

    JsonPtr encs = server.getJson(byIdentifier("Encounter", "visit", visit));
    ASSERT_EQ(json_array_size(json_object_get(encs.get(), "entry")), 1u) << jsonDump(encs.get());
    const json_t* enc = firstResource(encs.get());
    std::string encRef = "Encounter/" + str(enc, {"id"});
    EXPECT_EQ(str(enc, {"status"}), "finished");
    EXPECT_EQ(str(enc, {"class", "code"}), "VR");
    EXPECT_EQ(str(enc, {"subject", "reference"}), "Patient/pat-1");
    // Participants: only the practitioner (the patient is the subject, not a participant).
    EXPECT_EQ(json_array_size(json_object_get(enc, "participant")), 1u) << jsonDump(enc);
    EXPECT_EQ(str(enc, {"participant", "0", "individual", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(str(enc, {"participant", "0", "type", "0", "coding", "0", "code"}), "PPRF");
    EXPECT_FALSE(str(enc, {"participant", "0", "period", "start"}).empty());
    EXPECT_FALSE(str(enc, {"period", "start"}).empty());
    EXPECT_FALSE(str(enc, {"period", "end"}).empty());
    EXPECT_LE(str(enc, {"period", "start"}), str(enc, {"period", "end"}));

    JsonPtr docs = server.getJson(byIdentifier("DocumentReference", "note", c.note));
    ASSERT_EQ(json_array_size(json_object_get(docs.get(), "entry")), 1u) << jsonDump(docs.get());
    const json_t* doc = firstResource(docs.get());
    EXPECT_EQ(str(doc, {"status"}), "current");
    EXPECT_EQ(str(doc, {"context", "encounter", "0", "reference"}), encRef);
    EXPECT_EQ(str(doc, {"subject", "reference"}), "Patient/pat-1");
    EXPECT_EQ(str(doc, {"author", "0", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(str(doc, {"type", "coding", "0", "code"}), "11506-3");  // the room's default note type
    auto data = base64Decode(str(doc, {"content", "0", "attachment", "data"}));
    ASSERT_TRUE(data);
    EXPECT_EQ(std::string(asChars(*data)), noteText);

    JsonPtr provs = server.getJson("Provenance?target=" + urlEncode(encRef));
    ASSERT_EQ(json_array_size(json_object_get(provs.get(), "entry")), 1u) << jsonDump(provs.get());
    const json_t* prov = firstResource(provs.get());
    EXPECT_EQ(str(prov, {"target", "0", "reference"}), encRef);
    EXPECT_EQ(str(prov, {"target", "1", "reference"}), "DocumentReference/" + str(doc, {"id"}));
    EXPECT_EQ(str(prov, {"agent", "0", "who", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(str(prov, {"agent", "1", "who", "identifier", "value"}), "janus-consult");

    // Exactly one write, one SMART token; one PHI-free attempt row naming the three resources.
    JsonPtr stats = server.stats();
    EXPECT_EQ(jsonInt(stats.get(), "tokens").value_or(-1), 1);
    PgConn pg = db.connect();
    PgResult a = pg.exec("SELECT result, http_status, array_length(resource_ids, 1) FROM fhir_outbox_attempt");
    ASSERT_EQ(a.rows(), 1);
    EXPECT_EQ(a.value(0, 0), "sent");
    EXPECT_EQ(a.value(0, 1), "200");
    EXPECT_EQ(a.value(0, 2), "3");
}

TEST_F(FhirConsult, PendingBundlesAreSentAfterJanusIsKilledAndStartedAgain) {
    server.outage();
    janus.start();
    Consult c = consult();
    ASSERT_TRUE(waitFor([&] { return status("failed") == 1; })) << jsonDump(fhir(R"({"request":"pending"})").get());
    EXPECT_EQ(status("sent"), 0);
    janus.kill();  // SIGKILL with the bundle pending: no shutdown path runs
    server.restore();
    janus.start();  // same config folder, same outbox database
    ASSERT_TRUE(waitFor([&] { return status("sent") == 1; })) << jsonDump(fhir(R"({"request":"pending"})").get());
    JsonPtr s = fhir(R"({"request":"status"})");
    EXPECT_EQ(jsonInt(json_object_get(s.get(), "this_instance"), "sent").value_or(-1), 1) << jsonDump(s.get());
    EXPECT_EQ(jsonInt(s.get(), "pending").value_or(-1), 0);
    std::string visit = visits("sent").at(0);
    EXPECT_EQ(server.count(byIdentifier("Encounter", "visit", visit)), 1u);
    EXPECT_EQ(server.count(byIdentifier("DocumentReference", "note", c.note)), 1u);
    PgConn pg = db.connect();
    EXPECT_GE(
        std::stoi(std::string(pg.exec("SELECT count(*) FROM fhir_outbox_attempt WHERE result = 'retry'").value(0, 0))),
        1);
}

TEST_F(FhirConsult, ServerRejectionIsDeadLetteredWithThePhiFreeOutcome) {
    janus.start();
    consult("Patient/jane-doe-unknown");  // the EHR does not know this patient: 400 + OperationOutcome
    ASSERT_TRUE(waitFor([&] { return status("dead") == 1; })) << jsonDump(fhir(R"({"request":"pending"})").get());
    JsonPtr dead = fhir(R"({"request":"pending","state":"dead"})");
    const json_t* row = json_array_get(json_object_get(dead.get(), "bundles"), 0);
    EXPECT_EQ(jsonInt(row, "attempts").value_or(0), 1);
    EXPECT_EQ(jsonInt(row, "last_status").value_or(0), 400);
    std::string outcome = jsonDump(json_object_get(row, "outcome"));
    EXPECT_NE(outcome.find("\"invalid\""), std::string::npos) << outcome;
    EXPECT_EQ(outcome.find("jane"), std::string::npos) << outcome;
    EXPECT_EQ(janus.log().find("jane"), std::string::npos);
    // The worker logs the alert right after it stores the dead state, and Janus writes its log lines
    // from its own thread: the line may follow the status by a moment.
    EXPECT_TRUE(waitFor([&] { return janus.log().find("ALERT") != std::string::npos; }, 10));
    PgConn pg = db.connect();
    PgResult a = pg.exec("SELECT result, alert FROM fhir_outbox_attempt");
    ASSERT_EQ(a.rows(), 1);
    EXPECT_EQ(a.value(0, 0), "dead");
    EXPECT_EQ(a.value(0, 1), "t");
    EXPECT_EQ(server.count("Encounter?subject=" + urlEncode("Patient/jane-doe-unknown")), 0u);
}

TEST_F(FhirConsult, WrongServerCertificateIsRefused) {
    writeFhirConfig("other-ca.pem");  // trusts a CA that did not sign the server's certificate
    int64_t writesBefore = jsonInt(server.stats().get(), "writes").value_or(-1);
    janus.start();
    consult();
    ASSERT_TRUE(waitFor([&] { return status("failed") == 1; })) << jsonDump(fhir(R"({"request":"pending"})").get());
    JsonPtr p = fhir(R"({"request":"pending"})");
    std::string err(jsonString(json_array_get(json_object_get(p.get(), "bundles"), 0), "last_error").value_or(""));
    EXPECT_NE(err.find("SSL"), std::string::npos) << err;
    JsonPtr stats = server.stats();
    EXPECT_EQ(jsonInt(stats.get(), "writes").value_or(-1), writesBefore);  // nothing from Janus arrived
    EXPECT_EQ(jsonInt(stats.get(), "tokens").value_or(-1), 0);             // the assertion never left either
    EXPECT_EQ(status("sent"), 0);
}
