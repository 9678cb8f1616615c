// SPDX-License-Identifier: GPL-3.0-or-later
// docs/error-codes.md and the error-code headers say the same: every constant of a plugin's
// <P>Errors.hpp (and of hipaa::errc) is a row of that plugin's table (shared: "Shared codes") with the
// same number, and every row is a constant. Plugin code answers codes only through these constants.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "ErrorCodeTable.hpp"
#include "TempDir.hpp"

using namespace hipaa::test;

namespace {

const std::string kRoot = HIPAA_SOURCE_DIR;

// Hand-written scanners: std::regex trips GCC 12's -Wmaybe-uninitialized in the ASan build.
bool isWord(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
size_t skipSpace(const std::string& t, size_t i) {
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    return i;
}
size_t skipWord(const std::string& t, size_t i) {
    while (i < t.size() && isWord(t[i])) ++i;
    return i;
}

// name -> value of every `inline constexpr int kName = N;` in a header.
std::map<std::string, int> constants(const std::string& header) {
    std::map<std::string, int> out;
    std::string text = readFile(kRoot + "/" + header);
    const std::string lead = "inline constexpr int ";
    for (size_t at = text.find(lead); at != std::string::npos; at = text.find(lead, at + 1)) {
        size_t nameStart = skipSpace(text, at + lead.size()), nameEnd = skipWord(text, nameStart);
        size_t eq = skipSpace(text, nameEnd);
        if (nameEnd == nameStart || text[nameStart] != 'k' || eq >= text.size() || text[eq] != '=') continue;
        size_t numStart = skipSpace(text, eq + 1), numEnd = numStart;
        while (numEnd < text.size() && std::isdigit(static_cast<unsigned char>(text[numEnd]))) ++numEnd;
        size_t semi = skipSpace(text, numEnd);
        if (numEnd == numStart || semi >= text.size() || text[semi] != ';') continue;
        out[text.substr(nameStart, nameEnd - nameStart)] = std::stoi(text.substr(numStart, numEnd - numStart));
    }
    return out;
}

// The first `<name>Error(NNN`, `jsonError(NNN` or `error(NNN` (a three-digit literal as the first
// argument) in `text`, or "".
std::string literalCodeCall(const std::string& text) {
    for (size_t open = text.find('('); open != std::string::npos; open = text.find('(', open + 1)) {
        size_t nameStart = open;
        while (nameStart > 0 && isWord(text[nameStart - 1])) --nameStart;
        std::string_view name(text.data() + nameStart, open - nameStart);
        if (!(name.ends_with("Error") || name == "error")) continue;
        size_t d = skipSpace(text, open + 1), e = d;
        while (e < text.size() && std::isdigit(static_cast<unsigned char>(text[e]))) ++e;
        if (e - d == 3 && (e == text.size() || !isWord(text[e]))) return text.substr(nameStart, e - nameStart);
    }
    return "";
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
    ASSERT_EQ(literalCodeCall("throw RequestError( 460, \"x\");"), "RequestError( 460");  // the scanner itself
    ASSERT_EQ(literalCodeCall("jsonError(errc::kInvalidField, \"x\"); error(4600);"), "");
    int files = 0;
    for (const char* dir : {"plugins", "common"}) {
        for (const auto& e : std::filesystem::recursive_directory_iterator(kRoot + "/" + dir)) {
            std::string path = e.path().string();
            if (!e.is_regular_file() || !(path.ends_with(".cpp") || path.ends_with(".hpp"))) continue;
            ++files;
            std::string text = readFile(path);
            std::string hit = literalCodeCall(text);
            if (!hit.empty())
                ADD_FAILURE() << path.substr(kRoot.size() + 1) << ": literal error code in `" << hit << "`";
        }
    }
    EXPECT_GT(files, 50);
}

}  // namespace
