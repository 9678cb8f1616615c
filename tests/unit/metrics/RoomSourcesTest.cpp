// SPDX-License-Identifier: GPL-3.0-or-later
// The room's stats counters and join refusal reasons are words in its source code. A new one must be
// known to the exporter (mapped to a metric, or a reason in the fixed list) or it would be dropped or
// counted as "other" without anyone noticing: these tests read plugins/room and fail first.
#include "MetricCatalog.hpp"
#include "PluginMetrics.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

using namespace hipaa::metrics;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string roomDir() { return std::string(HIPAA_SOURCE_DIR) + "/plugins/room"; }

// Every "..." literal in text[from, to).
std::vector<std::string> literals(const std::string& text, size_t from, size_t to) {
    std::vector<std::string> out;
    for (size_t q = text.find('"', from); q != std::string::npos && q < to; q = text.find('"', q + 1)) {
        size_t end = text.find('"', q + 1);
        if (end == std::string::npos || end > to) break;
        out.push_back(text.substr(q + 1, end - q - 1));
        q = end;
    }
    return out;
}

bool slug(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
    return true;
}

}  // namespace

TEST(RoomSources, EveryStatsCounterTheRoomKeepsIsKnownToTheExporter) {
    std::set<std::string> keys;
    for (const auto& e : fs::recursive_directory_iterator(roomDir())) {
        if (e.path().extension() != ".cpp") continue;
        std::string text = read(e.path());
        for (size_t at = text.find("counters["); at != std::string::npos; at = text.find("counters[", at + 1)) {
            size_t close = text.find(']', at);
            for (const std::string& key : literals(text, at, close)) keys.insert(key);
        }
    }
    EXPECT_GT(keys.size(), 20u) << "the scan found too few counters: has the room's code moved?";
    for (const std::string& key : keys)
        EXPECT_TRUE(roomCounterKnown(key)) << "room counter unknown to the exporter: " << key;
    EXPECT_FALSE(roomCounterKnown("no_such_counter"));
}

TEST(RoomSources, EveryJoinRefusalReasonIsInTheFixedList) {
    // The reasons are the slug right after an error code: refuse(errc::kX, "reason", ...),
    // fail(...), TokenError(...), and Admission's refuse(reply, room, errc::kX, "reason", ...).
    std::set<std::string> reasons{"missing_field", "invalid_field", "invalid_request"};  // refuseUnparsed
    std::vector<fs::path> files{roomDir() + "/session/Admission.cpp"};
    for (const auto& e : fs::directory_iterator(roomDir() + "/auth"))
        if (e.path().extension() == ".cpp") files.push_back(e.path());
    for (const fs::path& p : files) {
        std::string text = read(p);
        for (size_t at = text.find("errc::k"); at != std::string::npos; at = text.find("errc::k", at + 1)) {
            size_t i = at + 7;
            while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
            while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
            if (i >= text.size() || text[i] != ',') continue;
            ++i;
            while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
            if (i >= text.size() || text[i] != '"') continue;
            std::string lit = text.substr(i + 1, text.find('"', i + 1) - i - 1);
            if (slug(lit)) reasons.insert(lit);
        }
    }
    EXPECT_GT(reasons.size(), 25u) << "the scan found too few reasons: has the room's code moved?";
    const char* kName = "janus_hipaa_room_join_refusals_total";
    for (const std::string& r : reasons)
        EXPECT_EQ(MetricCatalog::fold(kName, "reason", r), r)
            << "join refusal reason not in the exporter's list: " << r;
}
