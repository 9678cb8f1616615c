// SPDX-License-Identifier: GPL-3.0-or-later
#include "BundleBuilder.hpp"
#include "BundleNotes.hpp"
#include "FhirFixtures.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::fhir;
using namespace hipaa::fhir::test;

TEST(BundleNotes, ReadsEveryNoteOfABundleAsSent) {
    BundleBuilder builder({"https://clinic.example.org/janus", "janus-1", "", "11506-3"});
    JsonPtr b = builder.build(sampleVisit("v-1"),
                              {sampleNote("v-1", "n-1", "Patient doing well."), sampleNote("v-1", "n-2", "Ünïcode ✓")},
                              kStartUs, true);
    auto notes = BundleNotes::read(b.get());
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0].noteId, "n-1");
    EXPECT_EQ(notes[0].text, "Patient doing well.");
    EXPECT_EQ(notes[1].noteId, "n-2");
    EXPECT_EQ(notes[1].text, "Ünïcode ✓");
}

TEST(BundleNotes, AVisitWithoutNotesHasNone) {
    BundleBuilder builder({"https://clinic.example.org/janus", "janus-1", "", "11506-3"});
    JsonPtr b = builder.build(sampleVisit("v-1"), {}, kStartUs, true);
    EXPECT_TRUE(BundleNotes::read(b.get()).empty());
    EXPECT_TRUE(BundleNotes::read(nullptr).empty());
}
