// SPDX-License-Identifier: GPL-3.0-or-later
// The whole visit on the record, end to end: the demo consult page in a room of class `kept` (chat and
// documents "record") in the real Janus with all four of our plugins loaded against a real PostgreSQL
// (audit trail, FHIR outbox) and the FHIR test server, plus Janus' stock sample event handler posting
// every event to tests/e2e/event-sink.js. Chat passes both ways, the patient shares a PDF and the
// provider a PNG through "Share a document", the provider ends the visit. Then: the recorder's kept
// chat recording verifies and exports both documents byte-identical; the EHR holds a Communication
// per message and a DocumentReference per document with the same bytes, each with its Provenance, valid
// against the R4 schema; and a canary put in every message and document appears nowhere else: not in
// PostgreSQL (audit trail and outbox included), not in Janus' log, not in any event, not in any file
// of the Janus folder except the explicit exports.
#include "AuditFixture.hpp"
#include "DemoConsult.hpp"
#include "FhirFixtures.hpp"
#include "FhirTestServer.hpp"
#include "JanusClient.hpp"
#include "RecordingChecks.hpp"
#include "Shell.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/SecureRandom.hpp"

#include <filesystem>
#include <memory>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;
using hipaa::fhir::test::firstResource;
using hipaa::fhir::test::str;
using hipaa::fhir::test::urlEncode;

namespace {

constexpr const char* kKeptSystem = "urn:janus-hipaa-demo";

// Every regular file under `dir` whose bytes contain `needle`, except those under `skip`.
std::vector<std::string> filesHolding(const std::string& dir, const std::string& needle, const std::string& skip) {
    std::vector<std::string> found;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().string().rfind(skip, 0) == 0) continue;
        if (readFile(e.path()).find(needle) != std::string::npos) found.push_back(e.path());
    }
    return found;
}

class KeptConsultBrowser : public DemoConsultFixture {
protected:
    void configure() override {
        // The demo people's FHIR references (tests/e2e/demo/serve.js) exist in the EHR.
        ASSERT_EQ(ehr_.put("Patient/demo-pt-1", R"({"resourceType":"Patient","id":"demo-pt-1"})").status, 200);
        ASSERT_EQ(ehr_.put("Practitioner/demo-dr-1", R"({"resourceType":"Practitioner","id":"demo-dr-1"})").status,
                  200);
        janus_.writeConfig("janus.eventhandler.hipaa.fhir.jcfg",
                           ehr_.handlerConfig(db_.loginConninfo("janus_fhir_writer"),
                                              janus_.configFile("keys/fhir-outbox.key"), kKeptSystem));
        setAuditKey(janus_, "conninfo", "\"" + db_.conninfo() + "\"");
        // Janus' own sample event handler: every event, as any third-party handler would get it.
        const std::string evh =
            Shell::output("ls /usr/lib/*/janus/events/libjanus_sampleevh.so 2>/dev/null | head -1 | tr -d '\\n'");
        ASSERT_FALSE(evh.empty()) << "libjanus_sampleevh.so missing: install janus (scripts/deps.sh)";
        std::filesystem::create_symlink(evh, janus_.configFile("events/libjanus_sampleevh.so"));
        eventsFile_ = janus_.configFile("all-events.jsonl");
        sink_ = std::make_unique<NodeScript>("event-sink.js", std::vector<std::string>{"--out", eventsFile_});
        auto url = sink_->waitLine("EVENT_SINK ", std::chrono::seconds(20));
        ASSERT_TRUE(url) << "event-sink.js did not start";
        janus_.writeConfig("janus.eventhandler.sampleevh.jcfg",
                           "general: {\n  enabled = true\n  events = \"all\"\n"
                           "  grouping = false\n  json = \"compact\"\n"
                           "  backend = \"" +
                               *url + "\"\n}\n");
    }

    int64_t fhirStatus(const char* key) {
        JanusClient c(janus_);
        JsonPtr s = c.queryHandler("janus.eventhandler.hipaa.fhir", J(R"({"request":"status"})").get());
        return jsonInt(s.get(), key).value_or(-1);
    }
    JsonPtr byIdentifier(const char* type, const char* kind, const std::string& value) {
        return ehr_.getJson(std::string(type) +
                            "?identifier=" + urlEncode(std::string(kKeptSystem) + "/" + kind + "|" + value));
    }

    TestDatabase db_;
    hipaa::fhir::test::FhirTestServer ehr_;
    std::unique_ptr<NodeScript> sink_;
    std::string eventsFile_;
};

}  // namespace

TEST_F(KeptConsultBrowser, ChatAndDocumentsAreSealedExportedSentToTheEhrAndFoundNowhereElse) {
    const std::string canary = "CANARY-" + hexEncode(secureRandomBytes(8));
    const std::string artifacts = std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-demo-kept";
    TempDir outside;  // what the pages shared, and the EHR's resources: outside the Janus folder searched below
    const std::string sent = outside.file("sent");
    JsonPtr report;
    runConsult("janus.plugin.hipaa.room", artifacts,
               {"--room-class", "kept", "--documents", sent, "--canary", canary, "--timeout", "70"}, 11, &report);
    ASSERT_TRUE(report);
    EXPECT_EQ(jsonBool(jsonAt(report.get(), {"chatKept"}), "patient"), true) << "the page shows the chat is kept";
    EXPECT_EQ(jsonBool(jsonAt(report.get(), {"chatKept"}), "provider"), true);
    const std::string pdf = readFile(sent + "/patient.pdf"), png = readFile(sent + "/provider.png");
    ASSERT_GT(pdf.size(), 100000u);
    ASSERT_GT(png.size(), 100u);
    const std::vector<std::string> texts{"Hello, can you hear me? " + canary, "Yes, loud and clear. " + canary};

    // The recorder: the visit's kept chat, one recording per segment (a new one when the participants
    // change: the provider alone, then with the patient), all sealed and verified; the messages and
    // documents are in the segment after the admission.
    JanusClient client(janus_);
    constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";
    JsonPtr list = client.messagePlugin(kRecorder, J(R"({"request":"list"})").get());
    const json_t* recordings = json_object_get(list.get(), "recordings");
    ASSERT_GE(json_array_size(recordings), 1u) << jsonDump(list.get());
    std::string id;
    auto byId = [&](const char* request, const std::string& recording) {
        JsonPtr q = jsonObject();
        jsonSet(q.get(), "request", request);
        jsonSet(q.get(), "recording", recording);
        return client.messagePlugin(kRecorder, q.get());
    };
    for (size_t i = 0; i < json_array_size(recordings); ++i) {
        const json_t* rec = json_array_get(recordings, i);
        SCOPED_TRACE(jsonDump(rec));
        EXPECT_EQ(jsonString(rec, "status").value_or(""), "sealed");
        EXPECT_EQ(jsonString(json_array_get(json_object_get(rec, "streams"), 0), "kind").value_or(""), "chat");
        const std::string recording(jsonString(rec, "recording").value_or(""));
        JsonPtr verified = byId("verify", recording);
        const json_t* verification = json_object_get(verified.get(), "verification");
        EXPECT_EQ(jsonBool(verification, "ok"), true) << jsonDump(verified.get());
        const json_t* sealed = json_array_get(json_object_get(verification, "files"), 0);
        const int64_t messages = jsonInt(sealed, "messages").value_or(-1),
                      docs = jsonInt(sealed, "documents").value_or(-1);
        if (messages == 0 && docs == 0) continue;
        EXPECT_TRUE(id.empty()) << "a second segment with content";
        EXPECT_EQ(messages, 2) << jsonDump(verified.get());
        EXPECT_EQ(docs, 2) << jsonDump(verified.get());
        id = recording;
    }
    ASSERT_FALSE(id.empty()) << "no kept recording holds the chat: " << jsonDump(list.get());
    JsonPtr exported = byId("export", id);
    const json_t* files = json_object_get(exported.get(), "files");
    ASSERT_EQ(json_array_size(files), 3u) << jsonDump(exported.get());
    std::string transcript, doc0, doc1;
    for (size_t i = 0; i < 3; ++i) {
        std::string p = json_string_value(json_array_get(files, i));
        if (p.ends_with("-chat.jsonl")) transcript = readFile(p);
        if (p.ends_with("-doc0.pdf")) doc0 = readFile(p);
        if (p.ends_with("-doc1.png")) doc1 = readFile(p);
    }
    EXPECT_TRUE(doc0 == pdf) << "the exported PDF differs from the one the patient shared";
    EXPECT_TRUE(doc1 == png) << "the exported PNG differs from the one the provider shared";
    for (const std::string& t : texts) EXPECT_NE(transcript.find(t), std::string::npos) << t;

    // The EHR: the visit's transaction with one Communication per message, one DocumentReference per
    // document (the bytes attached), a Provenance each.
    bool delivered = false;
    for (int i = 0; i < 300 && !delivered; ++i) {
        delivered = fhirStatus("sent") == 1;
        if (!delivered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(delivered) << "pending: " << fhirStatus("pending") << ", dead: " << fhirStatus("dead");
    JsonPtr all = jsonObject();  // every kept resource the EHR holds, for the R4 schema check
    jsonSet(all.get(), "resourceType", "Bundle");
    jsonSet(all.get(), "type", "collection");
    json_t* entries = json_array();
    json_object_set_new(all.get(), "entry", entries);
    auto keep = [&](const json_t* searchset, const std::string& what) -> const json_t* {
        EXPECT_EQ(json_array_size(json_object_get(searchset, "entry")), 1u) << what << ": " << jsonDump(searchset);
        const json_t* r = firstResource(searchset);
        if (!r) return nullptr;
        json_t* entry = json_object();
        json_object_set(entry, "resource", const_cast<json_t*>(r));
        json_array_append_new(entries, entry);
        const std::string ref = str(r, {"resourceType"}) + "/" + str(r, {"id"});
        JsonPtr prov = ehr_.getJson("Provenance?target=" + urlEncode(ref));
        EXPECT_EQ(json_array_size(json_object_get(prov.get(), "entry")), 1u) << "Provenance of " << ref;
        return r;
    };
    std::vector<JsonPtr> held;
    const char* senders[] = {"Practitioner/demo-dr-1", "Patient/demo-pt-1"};
    for (size_t i = 0; i < texts.size(); ++i) {
        held.push_back(byIdentifier("Communication", "kept-message", id + "/" + std::to_string(i)));
        const json_t* m = keep(held.back().get(), "message " + std::to_string(i));
        EXPECT_EQ(str(m, {"payload", "0", "contentString"}), texts[i]);
        EXPECT_EQ(str(m, {"sender", "reference"}), senders[i]);
        EXPECT_EQ(str(m, {"subject", "reference"}), "Patient/demo-pt-1");
    }
    const std::pair<const std::string*, const char*> documents[] = {{&pdf, "application/pdf"}, {&png, "image/png"}};
    for (size_t i = 0; i < 2; ++i) {
        held.push_back(byIdentifier("DocumentReference", "kept-document", id + "/" + std::to_string(i)));
        const json_t* d = keep(held.back().get(), "document " + std::to_string(i));
        EXPECT_EQ(str(d, {"content", "0", "attachment", "contentType"}), documents[i].second);
        auto bytes = base64Decode(str(d, {"content", "0", "attachment", "data"}));
        ASSERT_TRUE(bytes) << "document " << i;
        EXPECT_TRUE(std::string(asChars(*bytes)) == *documents[i].first) << "document " << i << " differs in the EHR";
    }
    ASSERT_EQ(json_array_size(entries), 4u);
    Shell::Result schema = Shell::run("node " HIPAA_SOURCE_DIR "/tests/fhir-server/validate-schema.cjs '" +
                                      outside.write("kept-resources.json", jsonDump(all.get()), 0600) + "' 2>&1");
    EXPECT_EQ(schema.status, 0) << schema.out;

    // Every share is in the audit trail (sender pseudonym, type, size, SHA-256), its content nowhere.
    expectCleanStop();
    sink_->terminate();
    EXPECT_EQ(sink_->wait(std::chrono::seconds(10)), 0);
    PgConn pg = db_.connect();
    PgResult shares =
        pg.exec("SELECT count(*) FROM audit_record WHERE event::text LIKE '%document_shared%' AND event::text LIKE '%" +
                std::string(jsonString(jsonAt(report.get(), {"documents", "patient"}), "sha256").value_or("?")) + "%'");
    EXPECT_EQ(shares.value(0, 0), "1") << "the patient's share in the audit trail, with its SHA-256";
    const std::string events = readFile(eventsFile_);
    EXPECT_NE(events.find("document_shared"), std::string::npos) << "the sample handler saw the room's events";
    Shell::Result dump = Shell::run("pg_dump --data-only '" + db_.conninfo() + "'");
    ASSERT_EQ(dump.status, 0);
    EXPECT_NE(dump.out.find("audit_record"), std::string::npos);
    // The canary, and the start of each document as base64 (how a copy of it would sit in a bundle).
    const std::vector<std::string> needles{canary, base64Encode(asBytes(pdf.substr(0, 300))),
                                           base64Encode(asBytes(png.substr(0, 48)))};
    ASSERT_FALSE(filesHolding(janus_.configFile("exports"), canary, "-").empty()) << "the search finds what is there";
    for (const std::string& n : needles) {
        SCOPED_TRACE(n.substr(0, 24));
        EXPECT_EQ(dump.out.find(n), std::string::npos) << "in PostgreSQL";
        EXPECT_EQ(janus_.log().find(n), std::string::npos) << "in Janus' log";
        EXPECT_EQ(events.find(n), std::string::npos) << "in an event";
        const std::vector<std::string> found = filesHolding(janus_.configDir(), n, janus_.configFile("exports"));
        EXPECT_TRUE(found.empty()) << "in a file: " << found[0];
    }
}
