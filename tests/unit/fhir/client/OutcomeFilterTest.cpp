// SPDX-License-Identifier: GPL-3.0-or-later
#include "OutcomeFilter.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::fhir;

TEST(OutcomeFilter, KeepsCodesAndPathsDropsFreeText) {
    JsonPtr oo = jsonParse(R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid",
        "diagnostics":"Resource Patient/jane-doe not found","details":{"text":"Jane Doe","coding":[{"system":"http://x.org/cs","code":"NOT_FOUND","display":"Jane"}]},
        "expression":["Encounter.subject","Patient named Jane Doe"]}]})");
    JsonPtr f = OutcomeFilter::phiFree(oo.get());
    ASSERT_TRUE(f);
    std::string text = jsonDump(f.get());
    EXPECT_EQ(text.find("jane"), std::string::npos) << text;
    EXPECT_EQ(text.find("Jane"), std::string::npos) << text;
    EXPECT_NE(text.find("\"invalid\""), std::string::npos);
    EXPECT_NE(text.find("Encounter.subject"), std::string::npos);
    EXPECT_NE(text.find("NOT_FOUND"), std::string::npos);
}

TEST(OutcomeFilter, OnlyOperationOutcomes) {
    EXPECT_FALSE(OutcomeFilter::phiFree(jsonParse(R"({"resourceType":"Patient"})").get()));
    EXPECT_FALSE(OutcomeFilter::phiFree(nullptr));
}
