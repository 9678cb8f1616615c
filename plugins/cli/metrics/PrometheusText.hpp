// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Prometheus text exposition format (version 0.0.4), as `GET /metrics` answers it: for each family
// `# HELP`, `# TYPE`, then one line per sample. Pure: no I/O, no clock.
#include "MetricFamily.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hipaa::metrics {

class PrometheusText {
public:
    static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

    // Throws std::invalid_argument for what would make the text invalid or misleading: a metric or
    // label name outside [a-zA-Z_][a-zA-Z0-9_]* (label names starting with "__" are Prometheus'
    // own), a counter whose name does not end in _total or a gauge whose name does, two families of
    // one name, a sample whose labels repeat a name. Families without samples are left out.
    static std::string render(const std::vector<MetricFamily>& families);

    // A label value inside its double quotes: \ " and newline escaped.
    static std::string escapeLabelValue(std::string_view value);
    // HELP text: \ and newline escaped.
    static std::string escapeHelp(std::string_view help);
    // Integers (up to 2^53) without a decimal point, NaN, +Inf, -Inf, otherwise the shortest
    // text that reads back as the same double.
    static std::string formatValue(double value);
    static bool validMetricName(std::string_view name);
    static bool validLabelName(std::string_view name);
};

}  // namespace hipaa::metrics
