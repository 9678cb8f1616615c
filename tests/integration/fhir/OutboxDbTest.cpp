// SPDX-License-Identifier: GPL-3.0-or-later
// The outbox's statements against a real PostgreSQL, as the handler's login: sealed values go in and
// come back out whatever the server's bytea_output, the FHIR server's resource ids are kept exactly,
// and a visit that cannot be recorded leaves nothing behind.
#include <gtest/gtest.h>

#include "FhirFixtures.hpp"
#include "Outbox.hpp"
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

using namespace hipaa;
using namespace hipaa::fhir;
using namespace hipaa::fhir::test;
using hipaa::test::scalar;
using hipaa::test::TestDatabase;

namespace {

std::unique_ptr<Outbox> outbox(TestDatabase& db, uint8_t key) {
    Outbox::Options options;
    options.conninfo = db.loginConninfo("janus_fhir_writer");  // as in production
    options.instance = "outbox-test";
    BundleOptions bundle;
    bundle.identifierSystem = "urn:janus-hipaa-test";
    bundle.instanceId = "outbox-test";
    return std::make_unique<Outbox>(options, std::make_shared<OutboxCipher>(Bytes(32, key)),
                                    std::make_shared<BundleBuilder>(bundle));
}

}  // namespace

TEST(OutboxDb, SealedRowsOpenWhateverTheServersByteaOutput) {
    TestDatabase db;
    PgConn admin = db.connect();
    admin.exec("ALTER DATABASE " + db.name() + " SET bytea_output = 'escape'");
    auto o = outbox(db, 1);
    EXPECT_EQ(o->recordNote(sampleNote("v-1", "n-1", "Knee improving."), kStartUs), Outbox::Recorded::Held);
    EXPECT_EQ(o->recordVisit(sampleVisit("v-1"), kStartUs), Outbox::Recorded::Queued);
    EXPECT_EQ(o->recordNote(sampleNote("v-1", "n-2", "Late note."), kStartUs), Outbox::Recorded::Queued);
    std::vector<Outbox::Claimed> claimed = o->claim(10, 30);
    ASSERT_EQ(claimed.size(), 2u);
    EXPECT_EQ(claimed[0].kind, "visit");
    EXPECT_NE(claimed[0].bundle.find(base64Encode(asBytes("Knee improving."))), std::string::npos);
    EXPECT_NE(claimed[1].bundle.find(base64Encode(asBytes("Late note."))), std::string::npos);
    EXPECT_EQ(o->exportVisit("v-1", kStartUs).has_value(), true);
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM fhir_outbox WHERE state = 'dead'"), "0");
}

TEST(OutboxDb, ResourceIdsAreStoredExactly) {
    TestDatabase db;
    PgConn admin = db.connect();
    auto o = outbox(db, 1);
    ASSERT_EQ(o->recordVisit(sampleVisit("v-1"), kStartUs), Outbox::Recorded::Queued);
    std::vector<Outbox::Claimed> claimed = o->claim(10, 30);
    ASSERT_EQ(claimed.size(), 1u);
    SendResult sent;
    sent.kind = SendResult::Kind::Sent;
    sent.status = 200;
    sent.resourceIds = {"Encounter/1", "Provenance/q\"uo\"te", "DocumentReference/back\\slash,{x}", "", "NULL"};
    o->finish(claimed[0], sent, false, 0);
    std::string want = R"(["Encounter/1","Provenance/q\"uo\"te","DocumentReference/back\\slash,{x}","","NULL"])";
    EXPECT_EQ(jsonDump(jsonParse(scalar(admin, "SELECT array_to_json(resource_ids)::text FROM fhir_outbox")).get()),
              want);
    EXPECT_EQ(
        jsonDump(jsonParse(scalar(admin, "SELECT array_to_json(resource_ids)::text FROM fhir_outbox_attempt")).get()),
        want);
    EXPECT_EQ(scalar(admin, "SELECT state || ':' || length(sealed) FROM fhir_outbox"), "sent:0");
}

TEST(OutboxDb, AVisitThatCannotBeRecordedLeavesNothingAndTheOutboxGoesOn) {
    TestDatabase db;
    PgConn admin = db.connect();
    // A note sealed under another key (outbox.key_file replaced): the visit's bundle cannot be built.
    ASSERT_EQ(outbox(db, 2)->recordNote(sampleNote("v-1", "n-1", "Old key."), kStartUs), Outbox::Recorded::Held);
    auto o = outbox(db, 1);
    EXPECT_THROW(o->recordVisit(sampleVisit("v-1"), kStartUs), CryptoError);
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM fhir_visit"), "0");
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM fhir_outbox"), "0");
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM fhir_note WHERE NOT bundled"), "1");
    // The same Outbox (and connection) records the next visit.
    EXPECT_EQ(o->recordVisit(sampleVisit("v-2"), kStartUs), Outbox::Recorded::Queued);
    EXPECT_EQ(o->claim(10, 30).size(), 1u);
}

TEST(OutboxDb, SentNotesAreTheVisitsNotesWhoseBundleTheEhrAccepted) {
    TestDatabase db;
    auto o = outbox(db, 1);
    ASSERT_EQ(o->recordNote(sampleNote("v-1", "n-1", "Knee improving."), kStartUs), Outbox::Recorded::Held);
    EXPECT_TRUE(o->sentNotes("v-1").empty());  // held: not sent
    ASSERT_EQ(o->recordVisit(sampleVisit("v-1"), kStartUs), Outbox::Recorded::Queued);
    std::vector<Outbox::Claimed> claimed = o->claim(10, 30);
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_TRUE(o->sentNotes("v-1").empty());  // queued: not sent
    SendResult sent;
    sent.kind = SendResult::Kind::Sent;
    sent.status = 200;
    o->finish(claimed[0], sent, false, 0);
    // A late note gets its own bundle, still pending.
    ASSERT_EQ(o->recordNote(sampleNote("v-1", "n-2", "Late note."), kStartUs), Outbox::Recorded::Queued);
    std::vector<SentNote> notes = o->sentNotes("v-1");
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].noteId, "n-1");
    EXPECT_EQ(notes[0].text, "Knee improving.");  // the sent bundle itself was wiped: from fhir_note
    EXPECT_GT(notes[0].sentMs, 0);
    claimed = o->claim(10, 30);
    ASSERT_EQ(claimed.size(), 1u);
    o->finish(claimed[0], sent, false, 0);
    notes = o->sentNotes("v-1");
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[1].text, "Late note.");
    EXPECT_TRUE(o->sentNotes("v-2").empty());
}
