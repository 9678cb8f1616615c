// SPDX-License-Identifier: GPL-3.0-or-later
// The FHIR handler core end to end: facts on a VisitBus -> sealed PostgreSQL outbox -> HTTPS (test
// CA) -> the FHIR test server (Medplum's engine, validating, SMART token endpoint). No Janus needed
// at this layer; JanusFhirTest covers loading in the real gateway.
#include "FakeKeptSource.hpp"
#include "FhirErrors.hpp"
#include "FhirFixtures.hpp"
#include "FhirHandler.hpp"
#include "FhirTestServer.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include "hipaa/AuditTrail.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <thread>

using namespace hipaa;
using namespace hipaa::fhir;
using namespace hipaa::fhir::test;
using hipaa::test::TempDir;
using hipaa::test::TestDatabase;

namespace {

constexpr const char* kSystem = "urn:janus-hipaa-test";

// The audit handler is not loaded here: its trail takes the admin requests' access records.
class TrailStandIn final : public AuditTrail {
public:
    TrailStandIn() { AuditTrail::inProcess().provide(*this); }
    ~TrailStandIn() override { AuditTrail::inProcess().withdraw(*this); }
    bool take(const AccessRecord&) override { return true; }
};

class FhirExport : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(server_.put("Patient/pat-1", R"({"resourceType":"Patient","id":"pat-1"})").status, 200);
        ASSERT_EQ(server_.put("Practitioner/doc-1", R"({"resourceType":"Practitioner","id":"doc-1"})").status, 200);
        outboxKey_ = keys_.write("outbox.key", std::string(64, 'c') + "\n", 0600);
    }

    JsonPtr config(const std::string& auth = "smart", const std::string& ca = "ca.pem") {
        JsonPtr g = jsonObject();
        jsonSet(g.get(), "base_url", server_.baseUrl());
        jsonSet(g.get(), "ca_file", server_.file(ca));
        jsonSet(g.get(), "auth", auth);
        if (auth == "bearer") {
            jsonSet(g.get(), "bearer_token_file", server_.file("bearer-token"));
        } else {
            bool rsa = auth == "smart-rs384";
            jsonSet(g.get(), "auth", "smart");
            jsonSet(g.get(), "smart_token_url", server_.tokenUrl());
            jsonSet(g.get(), "smart_client_id", "janus-hipaa-test");
            jsonSet(g.get(), "smart_key_file", server_.file(rsa ? "client-rs384.key" : "client-es384.key"));
            jsonSet(g.get(), "smart_alg", rsa ? "RS384" : "ES384");
            jsonSet(g.get(), "smart_kid", rsa ? "rs384-1" : "es384-1");
        }
        jsonSet(g.get(), "identifier_system", kSystem);
        jsonSet(g.get(), "instance_id", "test-1");
        jsonSet(g.get(), "development", true);  // the admin secret alone (actor tokens: FhirAccessTest)
        jsonSet(g.get(), "connect_timeout_ms", 1000);
        jsonSet(g.get(), "timeout_ms", 4000);
        JsonPtr o = jsonObject();
        // As in production: a login that is a member of janus_fhir_writer only, with its password.
        jsonSet(o.get(), "conninfo", db_.loginConninfo("janus_fhir_writer"));
        jsonSet(o.get(), "key_file", outboxKey_);
        jsonSet(o.get(), "backoff_initial_ms", 200);
        jsonSet(o.get(), "backoff_max_ms", 1000);
        jsonSet(o.get(), "poll_interval_ms", 100);
        jsonSet(o.get(), "lease_seconds", 10);
        jsonSet(o.get(), "max_attempts", 100);
        JsonPtr c = jsonObject();
        jsonSet(c.get(), "general", std::move(g));
        jsonSet(c.get(), "outbox", std::move(o));
        return c;
    }

    std::unique_ptr<FhirHandler> start(JsonPtr cfg) {
        Logger log("fhir", [this](LogLevel, std::string_view line) {
            std::lock_guard lock(logMutex_);
            log_ += std::string(line) + "\n";
        });
        return std::make_unique<FhirHandler>(Config(std::move(cfg), "test"), log, bus_);
    }

    static JsonPtr ask(FhirHandler& h, const std::string& request) { return h.handleRequest(jsonParse(request).get()); }

    static int64_t field(FhirHandler& h, const char* key) {
        return jsonInt(ask(h, R"({"request":"status"})").get(), key).value_or(-1);
    }

    static bool waitFor(const std::function<bool()>& pred, int seconds = 30) {
        for (int i = 0; i < seconds * 20; ++i) {
            if (pred()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return pred();
    }

    void publish(const VisitEnded& v) { ASSERT_TRUE(bus_.publish(v).ok()); }
    void publish(const NoteSubmitted& n) { ASSERT_TRUE(bus_.publish(n).ok()); }

    std::string byIdentifier(const char* type, const char* kind, const std::string& value) {
        return std::string(type) + "?identifier=" + urlEncode(std::string(kSystem) + "/" + kind + "|" + value);
    }

    std::string logText() {
        std::lock_guard lock(logMutex_);
        return log_;
    }

    TrailStandIn trail_;
    TestDatabase db_;
    FhirTestServer server_;
    TempDir keys_;
    std::string outboxKey_;
    VisitBus bus_;
    std::mutex logMutex_;
    std::string log_;
};

}  // namespace

TEST_F(FhirExport, VisitWithNoteReachesTheEhrWithTheRightReferences) {
    auto h = start(config("smart"));
    const std::string text = "Subjective: feels better. Plan: continue.";
    publish(sampleNote("v-1", "n-1", text));  // during the visit: held
    ASSERT_TRUE(waitFor([&] { return field(*h, "held_notes") == 1; }));
    EXPECT_EQ(field(*h, "pending") + field(*h, "sent"), 0);
    publish(sampleVisit("v-1"));
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 1; })) << jsonDump(ask(*h, R"({"request":"status"})").get());
    EXPECT_EQ(field(*h, "held_notes"), 0);

    JsonPtr encs = server_.getJson(byIdentifier("Encounter", "visit", "v-1"));
    ASSERT_EQ(json_array_size(json_object_get(encs.get(), "entry")), 1u) << jsonDump(encs.get());
    const json_t* enc = firstResource(encs.get());
    std::string encRef = "Encounter/" + str(enc, {"id"});
    EXPECT_EQ(str(enc, {"status"}), "finished");
    EXPECT_EQ(str(enc, {"class", "code"}), "VR");
    EXPECT_EQ(str(enc, {"subject", "reference"}), "Patient/pat-1");
    EXPECT_EQ(str(enc, {"participant", "0", "individual", "reference"}), "Practitioner/doc-1");

    JsonPtr docs = server_.getJson(byIdentifier("DocumentReference", "note", "n-1"));
    ASSERT_EQ(json_array_size(json_object_get(docs.get(), "entry")), 1u);
    const json_t* doc = firstResource(docs.get());
    EXPECT_EQ(str(doc, {"context", "encounter", "0", "reference"}), encRef);
    EXPECT_EQ(str(doc, {"subject", "reference"}), "Patient/pat-1");
    EXPECT_EQ(str(doc, {"author", "0", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(str(doc, {"type", "coding", "0", "code"}), "11506-3");
    auto data = base64Decode(str(doc, {"content", "0", "attachment", "data"}));
    ASSERT_TRUE(data);
    EXPECT_EQ(std::string(asChars(*data)), text);

    JsonPtr provs = server_.getJson("Provenance?target=" + urlEncode(encRef));
    ASSERT_EQ(json_array_size(json_object_get(provs.get(), "entry")), 1u) << jsonDump(provs.get());
    const json_t* prov = firstResource(provs.get());
    EXPECT_EQ(str(prov, {"target", "1", "reference"}), "DocumentReference/" + str(doc, {"id"}));
    EXPECT_EQ(str(prov, {"agent", "0", "who", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(str(prov, {"agent", "1", "who", "identifier", "value"}), "test-1");

    // The audit trail of the write: PHI-free, with status and resource ids.
    PgConn c = db_.connect();
    PgResult a = c.exec("SELECT result, http_status, array_length(resource_ids, 1) FROM fhir_outbox_attempt");
    ASSERT_EQ(a.rows(), 1);
    EXPECT_EQ(a.value(0, 0), "sent");
    EXPECT_EQ(a.value(0, 1), "200");
    EXPECT_EQ(a.value(0, 2), "3");
    // SMART: exactly one access token fetched with our assertion and reused.
    EXPECT_EQ(jsonInt(server_.stats().get(), "tokens").value_or(0), 1);
    EXPECT_EQ(logText().find(text), std::string::npos);
}

TEST_F(FhirExport, OutageLosesNothingAndDuplicatesNothing) {
    auto h = start(config("smart"));
    server_.outage();
    for (const char* v : {"v-a", "v-b"}) publish(sampleNote(v, std::string("n-") + v, "note of " + std::string(v)));
    // Topics have separate bus queues: let the notes be held first so each visit is one bundle.
    ASSERT_TRUE(waitFor([&] { return field(*h, "held_notes") == 2; }));
    for (const char* v : {"v-a", "v-b"}) publish(sampleVisit(v));
    ASSERT_TRUE(waitFor([&] { return field(*h, "failed") == 2; }));
    std::this_thread::sleep_for(std::chrono::seconds(5));  // down "for a while": several retries each
    EXPECT_EQ(field(*h, "sent"), 0);
    EXPECT_EQ(field(*h, "pending"), 2);
    server_.restore();
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 2; })) << logText();
    // An answer lost on the way back looks like this to us: the same bundle again. Still one of each.
    JsonPtr q = ask(*h, R"({"request":"export","visit_id":"v-a"})");
    ASSERT_TRUE(jsonInt(q.get(), "queued")) << jsonDump(q.get());
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 3; }));
    for (const char* v : {"v-a", "v-b"}) {
        EXPECT_EQ(server_.count(byIdentifier("Encounter", "visit", v)), 1u) << v;
        EXPECT_EQ(server_.count(byIdentifier("DocumentReference", "note", std::string("n-") + v)), 1u) << v;
    }
    PgConn c = db_.connect();
    EXPECT_GE(
        std::stoi(std::string(c.exec("SELECT count(*) FROM fhir_outbox_attempt WHERE result = 'retry'").value(0, 0))),
        4);
}

TEST_F(FhirExport, PendingBundlesAreSentAfterARestart) {
    server_.outage();
    auto h = start(config("smart-rs384"));
    publish(sampleVisit("v-r"));
    ASSERT_TRUE(waitFor([&] { return field(*h, "failed") == 1; }));
    h.reset();  // Janus stops with the bundle pending
    server_.restore();
    auto again = start(config("smart-rs384"));
    ASSERT_TRUE(waitFor([&] { return field(*again, "sent") == 1; })) << logText();
    EXPECT_EQ(server_.count(byIdentifier("Encounter", "visit", "v-r")), 1u);
}

TEST_F(FhirExport, RejectedBundleIsDeadLetteredAtOnceWithAPhiFreeOutcome) {
    auto h = start(config("bearer"));
    publish(sampleVisit("v-x", "Patient/jane-doe-unknown"));
    ASSERT_TRUE(waitFor([&] { return field(*h, "dead") == 1; })) << logText();
    JsonPtr dead = ask(*h, R"({"request":"pending","state":"dead"})");
    const json_t* row = json_array_get(json_object_get(dead.get(), "bundles"), 0);
    EXPECT_EQ(jsonInt(row, "attempts").value_or(0), 1);
    EXPECT_EQ(jsonInt(row, "last_status").value_or(0), 400);
    std::string outcome = jsonDump(json_object_get(row, "outcome"));
    EXPECT_NE(outcome.find("\"invalid\""), std::string::npos) << outcome;
    EXPECT_NE(outcome.find("Encounter.subject"), std::string::npos) << outcome;
    EXPECT_EQ(outcome.find("jane"), std::string::npos) << outcome;  // the server's diagnostics named her
    EXPECT_EQ(logText().find("jane"), std::string::npos);
    EXPECT_NE(logText().find("ALERT"), std::string::npos);
    PgConn c = db_.connect();
    EXPECT_EQ(c.exec("SELECT alert FROM fhir_outbox_attempt").value(0, 0), "t");

    // Once the EHR knows the patient, an operator retries it.
    ASSERT_EQ(server_.put("Patient/jane-doe-unknown", R"({"resourceType":"Patient","id":"jane-doe-unknown"})").status,
              200);
    JsonPtr r = ask(*h, R"({"request":"retry","all":true})");
    EXPECT_EQ(json_array_size(json_object_get(r.get(), "requeued")), 1u);
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 1; }));
    EXPECT_EQ(field(*h, "dead"), 0);
}

TEST_F(FhirExport, WrongServerCertificateIsRefused) {
    int64_t writesBefore = jsonInt(server_.stats().get(), "writes").value_or(-1);
    auto h = start(config("bearer", "other-ca.pem"));
    publish(sampleVisit("v-c"));
    ASSERT_TRUE(waitFor([&] { return field(*h, "failed") == 1; }));
    JsonPtr p = ask(*h, R"({"request":"pending"})");
    std::string err(jsonString(json_array_get(json_object_get(p.get(), "bundles"), 0), "last_error").value_or(""));
    EXPECT_NE(err.find("SSL"), std::string::npos) << err;
    EXPECT_EQ(jsonInt(server_.stats().get(), "writes").value_or(-1), writesBefore);  // nothing reached the server
}

TEST_F(FhirExport, ExistingEncounterIsPatchedAndLaterNotesGetTheirOwnBundle) {
    ASSERT_EQ(server_
                  .put("Encounter/enc-1", R"({"resourceType":"Encounter","id":"enc-1","status":"planned",
        "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
        "subject":{"reference":"Patient/pat-1"},"reasonCode":[{"text":"follow-up"}]})")
                  .status,
              200);
    auto h = start(config("bearer"));
    VisitEnded v = sampleVisit("v-e");
    v.fhir.encounter = "Encounter/enc-1";
    publish(v);
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 1; })) << logText();
    JsonPtr enc = server_.getJson("Encounter/enc-1");
    EXPECT_EQ(str(enc.get(), {"status"}), "finished");
    EXPECT_EQ(str(enc.get(), {"class", "code"}), "AMB");  // theirs, untouched
    EXPECT_EQ(str(enc.get(), {"reasonCode", "0", "text"}), "follow-up");
    EXPECT_FALSE(str(enc.get(), {"period", "end"}).empty());                  // ours
    EXPECT_EQ(server_.count(byIdentifier("Encounter", "visit", "v-e")), 0u);  // no second Encounter

    NoteSubmitted n = sampleNote("v-e", "n-late", "addendum");
    n.fhir.encounter = "Encounter/enc-1";
    publish(n);
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 2; }));
    JsonPtr docs = server_.getJson(byIdentifier("DocumentReference", "note", "n-late"));
    EXPECT_EQ(str(firstResource(docs.get()), {"context", "encounter", "0", "reference"}), "Encounter/enc-1");
    PgConn c = db_.connect();
    EXPECT_EQ(c.exec("SELECT string_agg(kind, ',' ORDER BY id) FROM fhir_outbox").value(0, 0), "visit,note");
}

TEST_F(FhirExport, OutboxHoldsNoPlaintextAndForgetsSentBundles) {
    server_.outage();
    auto h = start(config("bearer"));
    const std::string text = "UNIQUE-NOTE-MARKER-7731";
    publish(sampleNote("v-s", "n-s", text));
    ASSERT_TRUE(waitFor([&] { return field(*h, "held_notes") == 1; }));
    publish(sampleVisit("v-s"));
    ASSERT_TRUE(waitFor([&] { return field(*h, "pending") == 1; }));
    PgConn c = db_.connect();
    for (const char* table : {"fhir_outbox", "fhir_note", "fhir_visit"}) {
        std::string sql = std::string("SELECT count(*) FROM ") + table +
                          " WHERE position(convert_to('MARKER', 'UTF8') in sealed) > 0 "
                          "   OR position(convert_to('pat-1', 'UTF8') in sealed) > 0";
        EXPECT_EQ(c.exec(sql).value(0, 0), "0") << table;
        EXPECT_EQ(c.exec(std::string("SELECT count(*) FROM ") + table + " WHERE length(sealed) > 28").value(0, 0), "1")
            << table;
    }
    server_.restore();
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 1; }));
    EXPECT_EQ(c.exec("SELECT length(sealed) FROM fhir_outbox").value(0, 0), "0");
    EXPECT_EQ(logText().find(text), std::string::npos);
}

TEST_F(FhirExport, BundleSealedUnderAnotherKeyIsDeadLetteredNotRetriedForever) {
    server_.outage();
    auto h = start(config("bearer"));
    publish(sampleVisit("v-k"));
    ASSERT_TRUE(waitFor([&] { return field(*h, "failed") == 1; }));
    h.reset();
    outboxKey_ = keys_.write("other.key", std::string(64, 'd') + "\n", 0600);  // the key file was replaced
    server_.restore();
    auto again = start(config("bearer"));
    ASSERT_TRUE(waitFor([&] { return field(*again, "dead") == 1; })) << logText();
    JsonPtr dead = ask(*again, R"({"request":"pending","state":"dead"})");
    std::string err(jsonString(json_array_get(json_object_get(dead.get(), "bundles"), 0), "last_error").value_or(""));
    EXPECT_NE(err.find("does not open"), std::string::npos) << err;
    EXPECT_EQ(server_.count(byIdentifier("Encounter", "visit", "v-k")), 0u);
}

TEST_F(FhirExport, AdminApiErrors) {
    auto h = start(config("bearer"));
    auto code = [&](const std::string& req) {
        try {
            ask(*h, req);
        } catch (const Error& e) {
            return e.code();
        }
        return 0;
    };
    EXPECT_EQ(code(R"({"request":"retry"})"), fhir::errc::kMissingField);
    EXPECT_EQ(code(R"({"request":"retry","id":12345})"), fhir::errc::kNoSuchBundle);
    EXPECT_EQ(code(R"({"request":"export","visit_id":"nope"})"), fhir::errc::kUnknownVisit);
    EXPECT_EQ(code(R"({"request":"export"})"), fhir::errc::kMissingField);
    EXPECT_EQ(code(R"({"request":"pending","state":"odd"})"), fhir::errc::kInvalidField);
    EXPECT_EQ(code(R"({"request":"frobnicate"})"), fhir::errc::kUnknownRequest);
    JsonPtr s = ask(*h, R"({"request":"status"})");
    for (const char* k : {"pending", "failed", "sent", "dead", "held_notes", "oldest_pending_seconds"})
        EXPECT_EQ(jsonInt(s.get(), k).value_or(-1), 0) << k;
    JsonPtr info = ask(*h, R"({"request":"info"})");
    std::string text = jsonDump(info.get());
    EXPECT_EQ(text.find(db_.loginConninfo("janus_fhir_writer")), std::string::npos);  // conninfo is redacted
}

TEST_F(FhirExport, UnreachableDatabaseAnswersDatabaseError) {
    JsonPtr cfg = config("bearer");
    jsonSet(json_object_get(cfg.get(), "outbox"), "conninfo", "host=127.0.0.1 port=1 dbname=x connect_timeout=1");
    auto h = start(std::move(cfg));
    try {
        ask(*h, R"({"request":"status"})");
        FAIL() << "status answered without a database";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), fhir::errc::kDatabase);
    }
}

// Kept chat and documents go in the visit's own transaction, read from the recorder (here a fake in
// the same slot) by the sending worker; while the recorder cannot answer, the visit waits (402), and
// a visit too large for one bundle is dead (403). One handler for all three: each start costs seconds.
TEST_F(FhirExport, KeptChatAndDocumentsReachTheEhrInTheVisitsTransaction) {
    JsonPtr cfg = config("bearer");
    jsonSet(json_object_get(cfg.get(), "outbox"), "max_bundle_mib", 1);
    auto h = start(std::move(cfg));
    VisitEnded v = sampleVisit("v-c");
    v.keptRecordings = {"rec-1"};
    VisitEnded big = sampleVisit("v-b");
    big.keptRecordings = {"rec-b"};
    publish(v);  // the recorder is not loaded (yet)
    publish(big);
    ASSERT_TRUE(waitFor([&] { return field(*h, "failed") == 2; })) << logText();
    JsonPtr p = ask(*h, R"({"request":"pending"})");
    for (size_t i : {0u, 1u}) {
        std::string err(jsonString(json_array_get(json_object_get(p.get(), "bundles"), i), "last_error").value_or(""));
        EXPECT_EQ(err.rfind("402 kept_records_unavailable", 0), 0u) << err;
    }
    EXPECT_EQ(server_.count(byIdentifier("Encounter", "visit", "v-c")), 0u);  // nothing half

    FakeKeptSource source;  // the recorder comes up
    source.add(sampleKept("rec-1"));
    KeptVisitRecords bigRecords = sampleKept("rec-b");
    bigRecords.documents.push_back(
        keptDocument("ps1_bb", "patient", "application/pdf", Bytes(size_t{1} << 20, 'x'), 1));
    source.add(bigRecords);
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 1 && field(*h, "dead") == 1; })) << logText();

    const json_t* enc = nullptr;
    JsonPtr encs = server_.getJson(byIdentifier("Encounter", "visit", "v-c"));
    ASSERT_TRUE(enc = firstResource(encs.get()));
    const std::string encRef = "Encounter/" + str(enc, {"id"});
    JsonPtr m0 = server_.getJson(byIdentifier("Communication", "kept-message", "rec-1/0"));
    ASSERT_EQ(json_array_size(json_object_get(m0.get(), "entry")), 1u) << jsonDump(m0.get());
    EXPECT_EQ(str(firstResource(m0.get()), {"encounter", "reference"}), encRef);
    EXPECT_EQ(str(firstResource(m0.get()), {"sender", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(str(firstResource(m0.get()), {"payload", "0", "contentString"}),
              "Please send the photo of the rash \u00e9");
    JsonPtr m1 = server_.getJson(byIdentifier("Communication", "kept-message", "rec-1/1"));
    auto raw = base64Decode(str(firstResource(m1.get()), {"payload", "0", "contentAttachment", "data"}));
    ASSERT_TRUE(raw);
    EXPECT_EQ(std::string(asChars(*raw)), std::string("latin-1 caf\xe9 ok", 15));
    KeptVisitRecords kept = sampleKept("rec-1");
    for (int i : {0, 1}) {
        JsonPtr d = server_.getJson(byIdentifier("DocumentReference", "kept-document", "rec-1/" + std::to_string(i)));
        const json_t* doc = firstResource(d.get());
        ASSERT_TRUE(doc) << jsonDump(d.get());
        EXPECT_EQ(str(doc, {"context", "encounter", "0", "reference"}), encRef);
        EXPECT_EQ(str(doc, {"content", "0", "attachment", "contentType"}), kept.documents[i].mime);
        auto data = base64Decode(str(doc, {"content", "0", "attachment", "data"}));
        ASSERT_TRUE(data);
        EXPECT_TRUE(*data == kept.documents[i].content);
    }
    // Encounter + its Provenance, 2 Communications + 2 DocumentReferences, a Provenance each: one transaction.
    PgConn c = db_.connect();
    PgResult a = c.exec("SELECT array_length(resource_ids, 1) FROM fhir_outbox_attempt WHERE result = 'sent'");
    ASSERT_EQ(a.rows(), 1);
    EXPECT_EQ(a.value(0, 0), "10");

    JsonPtr dead = ask(*h, R"({"request":"pending","state":"dead"})");
    std::string err(jsonString(json_array_get(json_object_get(dead.get(), "bundles"), 0), "last_error").value_or(""));
    EXPECT_EQ(err.rfind("403 bundle_too_large", 0), 0u) << err;
    EXPECT_EQ(server_.count(byIdentifier("Encounter", "visit", "v-b")), 0u);
    JsonPtr st = ask(*h, R"({"request":"status"})");
    EXPECT_GE(jsonInt(json_object_get(st.get(), "this_instance"), "kept_unavailable").value_or(0), 2);
    EXPECT_EQ(jsonInt(json_object_get(st.get(), "this_instance"), "too_large").value_or(0), 1);
    EXPECT_NE(logText().find("ALERT"), std::string::npos);
    EXPECT_EQ(logText().find("rash"), std::string::npos);
}

// The EHR down while a visit with kept chat and documents waits: retried, then sent once, whole; an
// answer lost on the way back (the same bundle again, the `export` request) duplicates nothing.
TEST_F(FhirExport, KeptChatAndDocumentsSurviveAnEhrOutageAndAreNeverDuplicated) {
    auto h = start(config("bearer"));
    FakeKeptSource source;
    source.add(sampleKept("rec-o"));
    server_.outage();
    VisitEnded v = sampleVisit("v-o");
    v.keptRecordings = {"rec-o"};
    publish(v);
    PgConn c = db_.connect();
    auto retries = [&] {
        return std::stoi(
            std::string(c.exec("SELECT count(*) FROM fhir_outbox_attempt WHERE result = 'retry'").value(0, 0)));
    };
    ASSERT_TRUE(waitFor([&] { return retries() >= 3; })) << logText();
    EXPECT_EQ(field(*h, "sent"), 0);
    server_.restore();
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 1; })) << logText();
    JsonPtr q = ask(*h, R"({"request":"export","visit_id":"v-o"})");
    ASSERT_TRUE(jsonInt(q.get(), "queued")) << jsonDump(q.get());
    ASSERT_TRUE(waitFor([&] { return field(*h, "sent") == 2; })) << logText();
    KeptVisitRecords kept = sampleKept("rec-o");
    EXPECT_EQ(server_.count(byIdentifier("Encounter", "visit", "v-o")), 1u);
    for (int i : {0, 1}) {
        const std::string n = "rec-o/" + std::to_string(i);
        EXPECT_EQ(server_.count(byIdentifier("Communication", "kept-message", n)), 1u) << n;
        JsonPtr d = server_.getJson(byIdentifier("DocumentReference", "kept-document", n));
        ASSERT_EQ(json_array_size(json_object_get(d.get(), "entry")), 1u) << n;
        auto data = base64Decode(str(firstResource(d.get()), {"content", "0", "attachment", "data"}));
        ASSERT_TRUE(data);
        EXPECT_TRUE(*data == kept.documents[static_cast<size_t>(i)].content) << n;
    }
    EXPECT_EQ(logText().find("rash"), std::string::npos);
}
