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
