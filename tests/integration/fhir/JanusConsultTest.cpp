// A consult through the real Debian Janus with both janus.plugin.hipaa.room and
// janus.eventhandler.hipaa.fhir loaded: provider and patient join over the HTTP API with tokens whose
// `fhir` claim names the patient and the practitioner, the provider admits the patient, writes a note
// and ends the visit; the room publishes NoteSubmitted / VisitEnded on the in-process VisitBus and the
// FHIR handler exports them through its PostgreSQL outbox to the HTTPS FHIR test server.
#include "FhirTestServer.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "RoomTab.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;
using hipaa::fhir::test::FhirTestServer;
using hipaa::fhir::test::urlEncode;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRoom = "janus.plugin.hipaa.room";
constexpr const char* kFhir = "janus.eventhandler.hipaa.fhir";
constexpr const char* kSystem = "urn:janus-hipaa-consult-test";
constexpr const char* kNote = "Consult note: knee improving, continue physio twice weekly.";

bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return pred();
}

std::string str(const json_t* j, std::initializer_list<const char*> path) {
    for (const char* p : path) j = json_is_array(j) ? json_array_get(j, std::stoul(p)) : json_object_get(j, p);
    return json_is_string(j) ? json_string_value(j) : "";
}

const json_t* firstResource(const json_t* searchset) {
    return json_object_get(json_array_get(json_object_get(searchset, "entry"), 0), "resource");
}

class JanusConsult : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(server.put("Patient/pat-1", R"({"resourceType":"Patient","id":"pat-1"})").status, 200);
        ASSERT_EQ(server.put("Practitioner/doc-1", R"({"resourceType":"Practitioner","id":"doc-1"})").status, 200);
        janus.writeConfig(std::string(kFhir) + ".jcfg",
                          "general: {\n"
                          "  base_url = \"" + server.baseUrl() + "\"\n"
                          "  ca_file = \"" + server.file("ca.pem") + "\"\n"
                          "  auth = \"smart\"\n"
                          "  smart_token_url = \"" + server.tokenUrl() + "\"\n"
                          "  smart_client_id = \"janus-hipaa-test\"\n"
                          "  smart_key_file = \"" + server.file("client-es384.key") + "\"\n"
                          "  smart_alg = \"ES384\"\n"
                          "  smart_kid = \"es384-1\"\n"
                          "  identifier_system = \"" + kSystem + "\"\n"
                          "  instance_id = \"janus-consult-test\"\n"
                          "  connect_timeout_ms = 1000\n"
                          "  timeout_ms = 2000\n"
                          "}\n"
                          "outbox: {\n"
                          "  conninfo = \"" + db.conninfo() + "\"\n"
                          "  key_file = \"" + janus.configFile("keys/fhir-outbox.key") + "\"\n"
                          "  poll_interval_ms = 100\n"
                          "  backoff_initial_ms = 200\n"
                          "  backoff_max_ms = 500\n"
                          "  lease_seconds = 5\n"
                          "  max_attempts = 1000\n"
                          "}\n");
        janus.start();
        admin = std::make_unique<JanusClient>(janus);
    }

    void TearDown() override {
        std::string log = janus.log();
        if (janus.running()) {
            EXPECT_EQ(janus.stop(), 0);
        }
        // No PHI in Janus' log: not the note, not the FHIR references, not a token.
        for (const char* phi : {kNote, "knee", "Patient/pat-1", "Practitioner/doc-1", "eyJ"})
            EXPECT_EQ(log.find(phi), std::string::npos) << phi;
        EXPECT_EQ(log.find("ALERT"), std::string::npos);
    }

    JsonPtr fhirStatus() { return admin->queryHandler(kFhir, J(R"({"request":"status"})").get()); }
    int64_t status(const char* key) { return jsonInt(fhirStatus().get(), key).value_or(-1); }

    // Provider and patient join, the patient is admitted, the provider writes a note (held by the FHIR
    // handler until the end) and ends the visit. Returns the note id the room answered with.
    std::string consult() {
        JsonPtr r = admin->messagePlugin(kRoom, J(R"({"request":"create","class":"default"})").get());
        std::string room(jsonString(r.get(), "room").value_or(""));
        EXPECT_FALSE(room.empty()) << jsonDump(r.get());
        RoomTab dr(janus), pt(janus);
        std::string drToken = mintRoomToken(janus, room, "provider", "dr-1", "--fhir-practitioner Practitioner/doc-1");
        std::string ptToken = mintRoomToken(janus, room, "patient", "pt-1", "--fhir-patient Patient/pat-1");
        EXPECT_FALSE(drToken.empty());
        EXPECT_FALSE(ptToken.empty());
        EXPECT_TRUE(dr.join(room, drToken));
        EXPECT_TRUE(dr.waitKind("joined"));
        EXPECT_TRUE(pt.join(room, ptToken));
        JsonPtr waiting = pt.waitKind("waiting");
        if (!waiting) {
            ADD_FAILURE() << "patient not waiting";
            return {};
        }
        std::string ptId(jsonString(waiting.get(), "id").value_or(""));
        EXPECT_TRUE(dr.send(R"({"request":"admit","id":")" + ptId + R"("})"));
        EXPECT_TRUE(pt.waitKind("joined"));

        JsonPtr note = jsonObject();
        jsonSet(note.get(), "request", "note");
        jsonSet(note.get(), "text", kNote);
        EXPECT_TRUE(dr.send(jsonDump(note.get())));
        JsonPtr answer = dr.wait([](const json_t* d) {
            return jsonString(d, "result").value_or("") == "note_submitted" || json_object_get(d, "error_code");
        });
        if (!answer) {
            ADD_FAILURE() << "no answer to the note";
            return {};
        }
        EXPECT_EQ(jsonString(answer.get(), "result").value_or(""), "note_submitted") << jsonDump(answer.get());
        EXPECT_EQ(jsonInt(answer.get(), "bytes").value_or(0), static_cast<int64_t>(std::string(kNote).size()));
        std::string noteId(jsonString(answer.get(), "note").value_or(""));
        // The note crossed the VisitBus into the handler's outbox, held until the visit ends.
        EXPECT_TRUE(waitFor([&] { return status("held_notes") == 1; })) << jsonDump(fhirStatus().get());

        EXPECT_TRUE(dr.send(R"({"request":"end"})"));
        for (RoomTab* t : {&dr, &pt}) {
            JsonPtr e = t->waitKind("ended");
            EXPECT_TRUE(e);
            if (e) {
                EXPECT_EQ(jsonString(e.get(), "reason").value_or(""), "ended_by_provider");
            }
        }
        return noteId;
    }

    std::string visitOfOnlyBundle(const char* state) {
        JsonPtr p = admin->queryHandler(kFhir, J(std::string(R"({"request":"pending","state":")") + state + "\"}").get());
        const json_t* bundles = json_object_get(p.get(), "bundles");
        EXPECT_EQ(json_array_size(bundles), 1u) << jsonDump(p.get());
        return std::string(jsonString(json_array_get(bundles, 0), "visit_id").value_or(""));
    }

    std::string byIdentifier(const char* type, const char* kind, const std::string& value) {
        return std::string(type) + "?identifier=" + urlEncode(std::string(kSystem) + "/" + kind + "|" + value);
    }

    TestDatabase db;
    FhirTestServer server;
    JanusProcess janus;
    std::unique_ptr<JanusClient> admin;
};

TEST_F(JanusConsult, NoteAndVisitEndReachTheEhrWithTheRightReferences) {
    std::string noteId = consult();
    ASSERT_FALSE(noteId.empty());
    ASSERT_TRUE(waitFor([&] { return status("sent") == 1; })) << jsonDump(fhirStatus().get());
    EXPECT_EQ(status("held_notes"), 0);
    EXPECT_EQ(status("pending"), 0);
    std::string visitId = visitOfOnlyBundle("sent");
    ASSERT_FALSE(visitId.empty());

    JsonPtr encs = server.getJson(byIdentifier("Encounter", "visit", visitId));
    ASSERT_EQ(json_array_size(json_object_get(encs.get(), "entry")), 1u) << jsonDump(encs.get());
    const json_t* enc = firstResource(encs.get());
    std::string encRef = "Encounter/" + str(enc, {"id"});
    EXPECT_EQ(str(enc, {"status"}), "finished");
    EXPECT_EQ(str(enc, {"class", "code"}), "VR");
    EXPECT_EQ(str(enc, {"subject", "reference"}), "Patient/pat-1");
    // Only the practitioner is an Encounter participant (the patient is the subject).
    EXPECT_EQ(json_array_size(json_object_get(enc, "participant")), 1u) << jsonDump(enc);
    EXPECT_EQ(str(enc, {"participant", "0", "individual", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(str(enc, {"participant", "0", "type", "0", "coding", "0", "code"}), "PPRF");
    EXPECT_FALSE(str(enc, {"period", "start"}).empty());
    EXPECT_FALSE(str(enc, {"period", "end"}).empty());

    JsonPtr docs = server.getJson(byIdentifier("DocumentReference", "note", noteId));
    ASSERT_EQ(json_array_size(json_object_get(docs.get(), "entry")), 1u) << jsonDump(docs.get());
    const json_t* doc = firstResource(docs.get());
    EXPECT_EQ(str(doc, {"status"}), "current");
    EXPECT_EQ(str(doc, {"context", "encounter", "0", "reference"}), encRef);
    EXPECT_EQ(str(doc, {"subject", "reference"}), "Patient/pat-1");
    EXPECT_EQ(str(doc, {"author", "0", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(str(doc, {"type", "coding", "0", "code"}), "11506-3");  // the room's default note type
    auto data = base64Decode(str(doc, {"content", "0", "attachment", "data"}));
    ASSERT_TRUE(data);
    EXPECT_EQ(std::string(asChars(*data)), kNote);

    JsonPtr provs = server.getJson("Provenance?target=" + urlEncode(encRef));
    ASSERT_EQ(json_array_size(json_object_get(provs.get(), "entry")), 1u) << jsonDump(provs.get());
    const json_t* prov = firstResource(provs.get());
    EXPECT_EQ(str(prov, {"target", "0", "reference"}), encRef);
    EXPECT_EQ(str(prov, {"target", "1", "reference"}), "DocumentReference/" + str(doc, {"id"}));
    EXPECT_EQ(str(prov, {"agent", "0", "who", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(str(prov, {"agent", "1", "who", "identifier", "value"}), "janus-consult-test");

    // The room's PHI-free counters saw one note and one ended visit.
    JsonPtr stats = admin->messagePlugin(kRoom, J(R"({"request":"stats"})").get());
    const json_t* counters = json_object_get(stats.get(), "counters");
    EXPECT_EQ(jsonInt(counters, "notes").value_or(0), 1) << jsonDump(stats.get());
    EXPECT_EQ(jsonInt(counters, "visits_ended").value_or(0), 1) << jsonDump(stats.get());
}

TEST_F(JanusConsult, BundlesPendingAtSigtermAreSentAfterTheRestartExactlyOnce) {
    auto writes = [&] { return jsonInt(server.stats().get(), "writes").value_or(-1); };
    const int64_t writesBefore = writes();  // the Patient and Practitioner put in SetUp
    server.outage();
    std::string noteId = consult();
    ASSERT_FALSE(noteId.empty());
    // The visit's Bundle (Encounter + the note) waits in the outbox, having failed at least once.
    ASSERT_TRUE(waitFor([&] { return status("failed") == 1; })) << jsonDump(fhirStatus().get());
    EXPECT_EQ(status("sent"), 0);
    std::string visitId = visitOfOnlyBundle("pending");
    ASSERT_FALSE(visitId.empty());

    ASSERT_EQ(janus.stop(20s, SIGTERM), 0);
    server.restore();
    EXPECT_EQ(writes(), writesBefore);  // nothing got through before the restart
    janus.start();  // same config: same outbox database and key
    admin = std::make_unique<JanusClient>(janus);
    ASSERT_TRUE(waitFor([&] { return status("sent") == 1; })) << jsonDump(fhirStatus().get());
    EXPECT_EQ(status("pending"), 0);
    EXPECT_EQ(status("dead"), 0);
    std::this_thread::sleep_for(1s);  // several poll intervals: nothing is sent a second time
    EXPECT_EQ(status("sent"), 1);

    EXPECT_EQ(server.count(byIdentifier("Encounter", "visit", visitId)), 1u);
    EXPECT_EQ(server.count(byIdentifier("DocumentReference", "note", noteId)), 1u);
    EXPECT_EQ(server.count("Provenance?agent=" + urlEncode("Practitioner/doc-1")), 1u);
    EXPECT_EQ(writes(), writesBefore + 1);  // one transaction Bundle, posted once
    PgConn c = db.connect();
    EXPECT_EQ(c.exec("SELECT count(*) FROM fhir_outbox_attempt WHERE result = 'sent'").value(0, 0), "1");
    EXPECT_NE(c.exec("SELECT count(*) FROM fhir_outbox_attempt WHERE result = 'retry'").value(0, 0), "0");
}

}  // namespace
