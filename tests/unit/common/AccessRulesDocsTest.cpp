// SPDX-License-Identifier: GPL-3.0-or-later
// docs/access.md prints the access table; the code enforces its own copy. They must be the same.
#include "hipaa/AccessRules.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace hipaa;

namespace {

std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream s(line.substr(1));
    std::string cell;
    while (std::getline(s, cell, '|')) {
        size_t a = cell.find_first_not_of(' '), b = cell.find_last_not_of(' ');
        out.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
    }
    return out;
}

std::string shortPlugin(std::string_view package) { return std::string(package.substr(package.rfind('.') + 1)); }

}  // namespace

TEST(AccessRulesDocs, DocsTableIsTheCodesTable) {
    std::ifstream in(std::string(HIPAA_SOURCE_DIR) + "/docs/access.md");
    ASSERT_TRUE(in) << "docs/access.md";
    std::map<std::string, std::vector<std::string>> docs;
    std::vector<std::string> header;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("| action |", 0) == 0) header = cells(line);
        if (header.empty() || line.rfind("| ", 0) != 0 || line.rfind("| action", 0) == 0) continue;
        auto c = cells(line);
        if (c.size() == header.size()) docs[c[0]] = c;
    }
    ASSERT_EQ(header.size(), 3 + kActorRoles.size());
    for (size_t i = 0; i < kActorRoles.size(); ++i) EXPECT_EQ(header[3 + i], actorRoleName(kActorRoles[i]));
    EXPECT_EQ(docs.size(), accessRules().size()) << "one row per action, no more, no less";
    for (const auto& rule : accessRules()) {
        auto it = docs.find(std::string(rule.action));
        ASSERT_NE(it, docs.end()) << rule.action << " is not in docs/access.md";
        EXPECT_EQ(it->second[1], shortPlugin(rule.plugin)) << rule.action;
        EXPECT_EQ(it->second[2], rule.request) << rule.action;
        for (size_t i = 0; i < kActorRoles.size(); ++i)
            EXPECT_EQ(it->second[3 + i], accessName(rule.byRole[i]))
                << rule.action << " for " << actorRoleName(kActorRoles[i]);
    }
}
