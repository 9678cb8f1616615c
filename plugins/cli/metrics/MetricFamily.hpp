// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One metric family as the Prometheus text format shows it: a name, its type and help, its samples.
#include <string>
#include <utility>
#include <vector>

namespace hipaa::metrics {

enum class MetricType { Counter, Gauge };

using Labels = std::vector<std::pair<std::string, std::string>>;  // name, value; in this order

struct Sample {
    Labels labels;
    double value = 0;
};

struct MetricFamily {
    std::string name;
    MetricType type = MetricType::Gauge;
    std::string help;
    std::vector<Sample> samples;
};

}  // namespace hipaa::metrics
