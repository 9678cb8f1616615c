// SPDX-License-Identifier: GPL-3.0-or-later
// Each plugin-specific row of docs/error-codes.md has a scenario that makes the plugin answer that
// code (a new row without one fails here), and every scenario's code is a row of the table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "ErrorCodeTable.hpp"
#include "Scenario.hpp"

using namespace hipaa::test;

namespace {

const std::vector<Scenario>& scenarios() {
    static const std::vector<Scenario> all = [] {
        std::vector<Scenario> v;
        addRoomScenarios(v);
        addRecorderScenarios(v);
        addHandlerScenarios(v);
        addInProcessScenarios(v);
        return v;
    }();
    return all;
}

std::vector<DocumentedCode> documented() {
    return ErrorCodeTable::load(std::string(HIPAA_SOURCE_DIR) + "/docs/error-codes.md");
}

class DocumentedErrorCode : public ::testing::TestWithParam<DocumentedCode> {};

TEST_P(DocumentedErrorCode, HasAScenarioThatTriggersIt) {
    const DocumentedCode& d = GetParam();
    if (d.reserved) GTEST_SKIP() << d.package << " " << d.code << " is reserved: nothing answers it";
    int found = 0;
    for (const auto& s : scenarios()) {
        if (s.package != d.package || s.code != d.code) continue;
        ++found;
        int got = 0;
        try {
            got = s.run();
        } catch (const std::exception& e) {
            ADD_FAILURE() << d.package << " " << d.code << " (" << s.what << "): setup failed: " << e.what();
            continue;
        }
        EXPECT_EQ(got, d.code) << d.package << " " << d.name << ": " << s.what;
    }
    EXPECT_GT(found, 0) << "docs/error-codes.md lists " << d.package << " " << d.code << " " << d.name
                        << " but no contract scenario triggers it";
}

INSTANTIATE_TEST_SUITE_P(Docs, DocumentedErrorCode, ::testing::ValuesIn(documented()), [](const auto& p) {
    const DocumentedCode& d = p.param;
    std::string n = d.package.substr(d.package.rfind('.') + 1) + "_" + std::to_string(d.code) + "_" + d.name;
    for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
});

TEST(ErrorCodeScenarios, EachNamesACodeOfTheDocsTable) {
    auto table = documented();
    for (const auto& s : scenarios()) {
        bool listed = std::any_of(table.begin(), table.end(),
                                  [&](const DocumentedCode& d) { return d.package == s.package && d.code == s.code; });
        EXPECT_TRUE(listed) << s.package << " " << s.code << " (" << s.what << ") is not in docs/error-codes.md";
    }
}

}  // namespace
