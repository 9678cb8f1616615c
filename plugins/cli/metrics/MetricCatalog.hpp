// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every metric the exporter may show: name, type, labels, help, and the Admin API request it comes
// from. docs/metrics.md documents exactly this table (unit_metrics checks it). A label's values come
// from a fixed list, or, for names an administrator defines in a config file (room classes, retention
// policies) and plugin versions, from a narrow pattern: nothing a patient, a client or a token can
// choose ever becomes a label.
#include "MetricFamily.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hipaa::metrics {

struct LabelDef {
    enum class Kind {
        Fixed,      // one of `values`
        AdminName,  // [A-Za-z0-9_.-]{1,64}: a name from a config file (room class, retention policy)
        Version,    // [A-Za-z0-9.+~-]{1,32}: a plugin's version string
    };
    std::string_view name;
    Kind kind = Kind::Fixed;
    std::vector<std::string_view> values;  // Fixed only
};

struct MetricDef {
    std::string_view name;
    MetricType type;
    std::vector<LabelDef> labels;
    std::string_view help;
    std::string_view source;  // e.g. "room stats": the plugin and the Admin API request
};

class MetricCatalog {
public:
    static const std::vector<MetricDef>& all();
    static const MetricDef* find(std::string_view name);  // nullptr when unknown
    static bool allowed(const LabelDef& label, std::string_view value);
    // `value` when `label` of metric `name` allows it, else "other" (every label fed from a plugin's
    // answer has "other" among its values or is a pattern label, where "other" also matches).
    static std::string fold(std::string_view name, std::string_view label, std::string_view value);
};

}  // namespace hipaa::metrics
