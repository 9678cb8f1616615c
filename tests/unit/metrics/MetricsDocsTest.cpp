// SPDX-License-Identifier: GPL-3.0-or-later
// docs/metrics.md documents exactly MetricCatalog: one table row per metric, with its type and labels.
#include "MetricCatalog.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace hipaa::metrics;

namespace {

struct Row {
    std::string type, labels;
};

std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    std::string cell;
    std::getline(in, cell, '|');  // before the first |
    while (std::getline(in, cell, '|')) {
        size_t a = cell.find_first_not_of(' '), b = cell.find_last_not_of(' ');
        out.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
    }
    return out;
}

std::string unquote(std::string s) {
    std::string out;
    for (char c : s)
        if (c != '`') out += c;
    return out;
}

// Rows "| `name` | counter | `a`, `b` | ... |" of docs/metrics.md.
std::map<std::string, Row> documented() {
    std::ifstream f(std::string(HIPAA_SOURCE_DIR) + "/docs/metrics.md");
    EXPECT_TRUE(f) << "docs/metrics.md missing";
    std::map<std::string, Row> rows;
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("| `janus_hipaa_", 0) != 0) continue;
        auto c = cells(line);
        if (c.size() < 4) {
            ADD_FAILURE() << "short row: " << line;
            continue;
        }
        std::string name = unquote(c[0]);
        EXPECT_FALSE(rows.count(name)) << "documented twice: " << name;
        rows[name] = Row{c[1], unquote(c[2])};
    }
    return rows;
}

}  // namespace

TEST(MetricsDocs, EveryMetricIsDocumentedWithItsTypeAndLabelsAndNothingElseIs) {
    auto rows = documented();
    for (const MetricDef& d : MetricCatalog::all()) {
        auto it = rows.find(std::string(d.name));
        if (it == rows.end()) {
            ADD_FAILURE() << "not in docs/metrics.md: " << d.name;
            continue;
        }
        EXPECT_EQ(it->second.type, d.type == MetricType::Counter ? "counter" : "gauge") << d.name;
        std::string labels;
        for (const LabelDef& l : d.labels) labels += (labels.empty() ? "" : ", ") + std::string(l.name);
        EXPECT_EQ(it->second.labels, labels.empty() ? "" : labels) << d.name;
        rows.erase(it);
    }
    for (const auto& [name, row] : rows) ADD_FAILURE() << "documented but not exported: " << name;
}
