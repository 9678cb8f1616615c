// SPDX-License-Identifier: GPL-3.0-or-later
#include "FhirFixtures.hpp"
#include "VisitCodec.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::fhir;
using namespace hipaa::fhir::test;

TEST(VisitCodec, RoundTrips) {
    VisitEnded v = sampleVisit("v-1");
    v.fhir.appointment = "Appointment/a";
    VisitEnded back = VisitCodec::decodeVisit(VisitCodec::encode(v).get());
    EXPECT_EQ(jsonDump(VisitCodec::encode(back).get()), jsonDump(VisitCodec::encode(v).get()));
    NoteSubmitted n = sampleNote("v-1", "n-1", "text \u00e9");
    NoteSubmitted nb = VisitCodec::decodeNote(VisitCodec::encode(n).get());
    EXPECT_EQ(nb.text, n.text);
    EXPECT_EQ(nb.fhir.practitioner, n.fhir.practitioner);
    EXPECT_THROW(VisitCodec::decodeNote(jsonParse(R"({"visit_id":"v"})").get()), RequestError);
}

TEST(VisitCodec, KeptRecordingsRoundTripAndOldRowsKeepNothing) {
    VisitEnded v = sampleVisit("v-1");
    v.keptRecordings = {"rec-1", "rec-2"};
    v.keptToEhr = false;
    VisitEnded back = VisitCodec::decodeVisit(VisitCodec::encode(v).get());
    EXPECT_EQ(back.keptRecordings, v.keptRecordings);
    EXPECT_FALSE(back.keptToEhr);
    JsonPtr old = VisitCodec::encode(sampleVisit("v-2"));
    json_object_del(old.get(), "kept_recordings");
    json_object_del(old.get(), "kept_to_ehr");
    EXPECT_TRUE(VisitCodec::decodeVisit(old.get()).keptRecordings.empty());
    json_object_set_new(old.get(), "kept_recordings", jsonRelease(jsonParse("[1]")));
    EXPECT_THROW(VisitCodec::decodeVisit(old.get()), RequestError);
}
