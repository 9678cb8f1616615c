// SPDX-License-Identifier: GPL-3.0-or-later
// docs/compliance.md names, for every control, the test that proves it and the config keys that turn
// it on. A renamed test or key would leave the page claiming what nothing checks: every test named
// must exist (in the file named before it), every `plugin category.key` must be in that plugin's
// sample config.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

const std::map<std::string, std::string>& samples() {
    static const std::map<std::string, std::string> kSamples{
        {"room", "conf/janus.plugin.hipaa.room.jcfg.sample"},
        {"recorder", "conf/janus.plugin.hipaa.recorder.jcfg.sample"},
        {"audit", "conf/janus.eventhandler.hipaa.audit.jcfg.sample"},
        {"fhir", "conf/janus.eventhandler.hipaa.fhir.jcfg.sample"},
    };
    return kSamples;
}

// "category.key" of a sample, commented-out ones too (optional keys are documented that way).
std::set<std::string> keysOf(const std::string& file) {
    std::set<std::string> out;
    std::ifstream in(file);
    static const std::regex category(R"(^#?\s*([A-Za-z0-9_-]+)\s*:\s*\{)");
    static const std::regex key(R"(^\s*#?\s*([a-z0-9_]+)\s*=)");
    std::string current;
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_search(line, m, category))
            current = m[1];
        else if (!current.empty() && std::regex_search(line, m, key))
            out.insert(current + "." + std::string(m[1]));
    }
    return out;
}

// Whether `file` defines TEST/TEST_F/TEST_P(suite, name).
bool defines(const std::string& text, const std::string& suite, const std::string& name) {
    return std::regex_search(text, std::regex("TEST(_F|_P)?\\(\\s*" + suite + ",\\s*" + name + "\\s*\\)"));
}

}  // namespace

TEST(ComplianceDocs, EveryTestNamedExistsAndEveryConfigKeyIsReal) {
    const std::string root = HIPAA_SOURCE_DIR;
    std::ifstream in(root + "/docs/compliance.md");
    ASSERT_TRUE(in) << "docs/compliance.md";
    std::map<std::string, std::set<std::string>> keys;
    for (const auto& [plugin, file] : samples()) keys[plugin] = keysOf(root + "/" + file);
    const std::regex code("`([^`]+)`");
    const std::regex testName(R"(^([A-Z][A-Za-z0-9]*)\.([A-Z][A-Za-z0-9_]*)$)");
    const std::regex configKey(R"(^(room|recorder|audit|fhir) ([A-Za-z0-9_-]+\.[a-z0-9_]+)( = .*)?$)");
    size_t tests = 0, configKeys = 0;
    std::set<std::string> sections;
    std::string file;  // the test file named last in this table row or paragraph
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.starts_with("|")) file.clear();
        for (std::sregex_iterator it(line.begin(), line.end(), code), end; it != end; ++it) {
            const std::string c = (*it)[1];
            std::smatch m;
            if (c.starts_with("tests/")) {
                file = c;
                EXPECT_TRUE(std::filesystem::is_regular_file(root + "/" + c)) << c << " does not exist";
            } else if (std::regex_match(c, m, testName)) {
                ++tests;
                ASSERT_FALSE(file.empty()) << c << ": name its file before it";
                EXPECT_TRUE(defines(slurp(root + "/" + file), m[1], m[2])) << c << " is not a test in " << file;
            } else if (std::regex_match(c, m, configKey)) {
                ++configKeys;
                EXPECT_TRUE(keys[m[1]].contains(m[2])) << c << " is not a key of " << samples().at(m[1]);
            }
        }
        if (line.starts_with("| (") || line.starts_with("| 164."))
            sections.insert(line.substr(2, line.find(' ', 2) - 2));
    }
    EXPECT_GE(tests, 50u);
    EXPECT_GE(configKeys, 40u);
    // Every technical safeguard the Security Rule names has its row.
    for (const char* s :
         {"(a)(1)", "(a)(2)(i)", "(a)(2)(iii)", "(a)(2)(iv)", "(b)", "(c)", "(d)", "(e)", "164.524", "164.530(j)"})
        EXPECT_TRUE(sections.contains(s)) << s;
}

TEST(ComplianceDocs, TheCheckFindsAMissingTestAndAnUnknownKey) {
    const std::string root = HIPAA_SOURCE_DIR;
    EXPECT_TRUE(defines(slurp(root + "/tests/unit/common/ComplianceDocsTest.cpp"), "ComplianceDocs",
                        "EveryTestNamedExistsAndEveryConfigKeyIsReal"));
    EXPECT_FALSE(defines(slurp(root + "/tests/unit/common/ComplianceDocsTest.cpp"), "ComplianceDocs", "NoSuchTest"));
    auto room = keysOf(root + "/conf/janus.plugin.hipaa.room.jcfg.sample");
    EXPECT_TRUE(room.contains("class-default.idle_timeout"));
    EXPECT_TRUE(room.contains("tokens.mfa_methods"));
    EXPECT_FALSE(room.contains("tokens.idle_timeout"));
}
