// docs/error-codes.md and the error-code headers say the same: every constant of a plugin's
// <P>Errors.hpp (and of hipaa::errc) is a row of that plugin's table (shared: "Shared codes") with the
// same number, and every row is a constant. Plugin code answers codes only through these constants.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "ErrorCodeTable.hpp"
#include "TempDir.hpp"

using namespace hipaa::test;

namespace {

const std::string kRoot = HIPAA_SOURCE_DIR;

// name -> value of every `inline constexpr int kName = N;` in a header.
std::map<std::string, int> constants(const std::string& header) {
    std::map<std::string, int> out;
    std::string text = readFile(kRoot + "/" + header);
    static const std::regex re(R"(inline\s+constexpr\s+int\s+(k\w+)\s*=\s*(\d+)\s*;)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
        out[(*it)[1]] = std::stoi((*it)[2]);
    return out;
}

struct Source {
    std::string package, header;
};

void PrintTo(const Source& s, std::ostream* os) { *os << s.header; }

const std::vector<Source> kSources = {
    {"shared", "common/include/hipaa/Errors.hpp"},
    {"janus.plugin.hipaa.room", "plugins/room/RoomErrors.hpp"},
    {"janus.plugin.hipaa.recorder", "plugins/recorder/RecorderErrors.hpp"},
    {"janus.eventhandler.hipaa.audit", "plugins/audit/AuditErrors.hpp"},
    {"janus.eventhandler.hipaa.fhir", "plugins/fhir/FhirErrors.hpp"},
};

class ErrorCodeDocs : public ::testing::TestWithParam<Source> {};

TEST_P(ErrorCodeDocs, HeaderAndDocsTableListTheSameCodes) {
    const Source& s = GetParam();
    auto consts = constants(s.header);
    ASSERT_FALSE(consts.empty()) << s.header << ": no `inline constexpr int kName = N;` found";
    std::map<int, std::string> byValue;
    for (const auto& [name, value] : consts) {
        auto [it, added] = byValue.emplace(value, name);
        EXPECT_TRUE(added) << s.header << ": " << name << " and " << it->second << " are both " << value;
    }
    std::set<int> documented;
    for (const auto& d : ErrorCodeTable::load(kRoot + "/docs/error-codes.md", "shared"))
        if (d.package == s.package) documented.insert(d.code);
    ASSERT_FALSE(documented.empty()) << "docs/error-codes.md has no table for " << s.package;
    for (const auto& [value, name] : byValue)
        EXPECT_TRUE(documented.count(value)) << s.header << ": " << name << " = " << value
                                             << " is not a row of docs/error-codes.md (" << s.package << ")";
    for (int code : documented)
        EXPECT_TRUE(byValue.count(code)) << "docs/error-codes.md (" << s.package << ") lists " << code << " but "
                                         << s.header << " has no constant for it";
}

INSTANTIATE_TEST_SUITE_P(Headers, ErrorCodeDocs, ::testing::ValuesIn(kSources), [](const auto& p) {
    std::string n = p.param.package.substr(p.param.package.rfind('.') + 1);
    return n;
});

// Every throw and answer names its code by a constant: no `Error(4xx, ...)`, `jsonError(430, ...)`,
// `error(460, ...)` in the plugins or common code.
TEST(ErrorCodeConstants, NoLiteralCodeAtAThrowOrAnswerSite) {
    static const std::regex literal(R"(\b(\w*Error|jsonError|error)\(\s*[0-9]{3}\b)");
    int files = 0;
    for (const char* dir : {"plugins", "common"}) {
        for (const auto& e : std::filesystem::recursive_directory_iterator(kRoot + "/" + dir)) {
            std::string path = e.path().string();
            if (!e.is_regular_file() || !(path.ends_with(".cpp") || path.ends_with(".hpp"))) continue;
            ++files;
            std::string text = readFile(path);
            std::smatch m;
            if (std::regex_search(text, m, literal))
                ADD_FAILURE() << path.substr(kRoot.size() + 1) << ": literal error code in `" << m.str() << "`";
        }
    }
    EXPECT_GT(files, 50);
}

}  // namespace
