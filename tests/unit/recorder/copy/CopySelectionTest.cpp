// SPDX-License-Identifier: GPL-3.0-or-later
#include "CopySelection.hpp"
#include "RecorderErrors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::recorder;

namespace {

const std::string kPat = "ps1_" + std::string(32, 'a'), kOther = "ps1_" + std::string(32, 'b');

std::string entry(const std::string& id, const std::string& status, int64_t created, const std::string& patient,
                  const std::string& visit = "v-1") {
    return R"({"recording":")" + id + R"(","status":")" + status + R"(","created_ms":)" + std::to_string(created) +
           R"(,"visit":")" + visit + R"(","participants":{"providers":[],"patients":[")" + patient + R"("]}})";
}

}  // namespace

TEST(CopySelection, SealedRecordingsOfThePatientInTheRangeOldestFirst) {
    JsonPtr list = jsonParse("[" + entry("c", "sealed", 300, kPat, "v-2") + "," + entry("a", "sealed", 100, kPat) +
                             "," + entry("b", "sealed", 200, kOther) + "," + entry("d", "recording", 250, kPat) + "," +
                             entry("e", "failed", 260, kPat) + "," + entry("f", "sealed", 1000, kPat) + "," +
                             R"({"recording":"g","status":"sealed","created_ms":150})" + "]");
    auto got = CopySelection::select(list.get(), kPat, 100, 1000);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].id, "a");
    EXPECT_EQ(got[0].visit, "v-1");
    EXPECT_EQ(got[1].id, "c");
    EXPECT_EQ(got[1].visit, "v-2");
    EXPECT_TRUE(CopySelection::select(list.get(), kOther, 0, 150).empty());
}

TEST(CopySelection, TooManyRecordingsAskForANarrowerRange) {
    std::string text = "[";
    for (size_t i = 0; i <= CopySelection::kMaxRecordings; ++i)
        text += (i ? "," : "") + entry(std::to_string(i), "sealed", static_cast<int64_t>(i), kPat);
    JsonPtr list = jsonParse(text + "]");
    try {
        CopySelection::select(list.get(), kPat, 0, 1 << 20);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), recorder::errc::kNothingToCopy);
    }
}

TEST(PatientCopyBuilder, CopyNamesAndConverterExtensions) {
    EXPECT_TRUE(PatientCopyBuilder::isCopyName("patient-copy-" + std::string(32, 'a') + ".jhcopy"));
    EXPECT_TRUE(PatientCopyBuilder::isCopyName("patient-copy-work-" + std::string(32, '0')));
    EXPECT_FALSE(PatientCopyBuilder::isCopyName("patient-copy-" + std::string(31, 'a') + ".jhcopy"));
    EXPECT_FALSE(PatientCopyBuilder::isCopyName("patient-copy-../" + std::string(29, 'a') + ".jhcopy"));
    EXPECT_FALSE(PatientCopyBuilder::isCopyName("notes.txt"));
    EXPECT_EQ(PatientCopyBuilder::extensionFor("opus"), "opus");
    EXPECT_EQ(PatientCopyBuilder::extensionFor("vp8"), "webm");
    EXPECT_EQ(PatientCopyBuilder::extensionFor("h264"), "mp4");
    EXPECT_EQ(PatientCopyBuilder::extensionFor("g722"), "");
}
