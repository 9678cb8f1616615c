// SPDX-License-Identifier: GPL-3.0-or-later
#include "PrometheusText.hpp"

#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>

namespace hipaa::metrics {
namespace {

bool nameChar(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

bool validName(std::string_view name) {
    if (name.empty()) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (!nameChar(name[i], i == 0)) return false;
    return true;
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void checkFamily(const MetricFamily& f) {
    if (!PrometheusText::validMetricName(f.name)) throw std::invalid_argument("invalid metric name: " + f.name);
    bool total = endsWith(f.name, "_total");
    if (f.type == MetricType::Counter && !total) throw std::invalid_argument("counter without _total: " + f.name);
    if (f.type != MetricType::Counter && total) throw std::invalid_argument("_total on a non-counter: " + f.name);
    for (const Sample& s : f.samples) {
        std::set<std::string_view> seen;
        for (const auto& [name, value] : s.labels) {
            if (!PrometheusText::validLabelName(name))
                throw std::invalid_argument("invalid label name on " + f.name + ": " + name);
            if (!seen.insert(name).second) throw std::invalid_argument("label repeated on " + f.name + ": " + name);
        }
    }
}

}  // namespace

bool PrometheusText::validMetricName(std::string_view name) { return validName(name); }

bool PrometheusText::validLabelName(std::string_view name) { return validName(name) && name.substr(0, 2) != "__"; }

std::string PrometheusText::escapeLabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string PrometheusText::escapeHelp(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string PrometheusText::formatValue(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    constexpr double kExact = 9007199254740992.0;  // 2^53: every integer below it is a double
    char buf[64];
    std::to_chars_result r{};
    if (value == std::trunc(value) && std::fabs(value) < kExact)
        r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(value));
    else
        r = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
    return std::string(buf, r.ptr);
}

std::string PrometheusText::render(const std::vector<MetricFamily>& families) {
    std::set<std::string_view> names;
    for (const MetricFamily& f : families) {
        checkFamily(f);
        if (!names.insert(f.name).second) throw std::invalid_argument("metric family repeated: " + f.name);
    }
    std::string out;
    for (const MetricFamily& f : families) {
        if (f.samples.empty()) continue;
        out += "# HELP " + f.name + " " + escapeHelp(f.help) + "\n";
        out += "# TYPE " + f.name + (f.type == MetricType::Counter ? " counter\n" : " gauge\n");
        for (const Sample& s : f.samples) {
            out += f.name;
            if (!s.labels.empty()) {
                out += '{';
                for (size_t i = 0; i < s.labels.size(); ++i) {
                    if (i) out += ',';
                    out += s.labels[i].first + "=\"" + escapeLabelValue(s.labels[i].second) + "\"";
                }
                out += '}';
            }
            out += " " + formatValue(s.value) + "\n";
        }
    }
    return out;
}

}  // namespace hipaa::metrics
