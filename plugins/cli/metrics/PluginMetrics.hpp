// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What each plugin's Admin API answers, as samples (one .cpp per plugin). `info` is the plugin's
// answer to info, already asked by MetricsCollector; the rest is asked here. A field missing from an
// answer gives no sample (nothing is made up); counters a plugin has not incremented yet are 0.
#include "MetricSet.hpp"
#include "PluginAdmin.hpp"

#include "hipaa/Json.hpp"

#include <optional>
#include <string_view>

namespace hipaa::metrics {

void roomMetrics(PluginAdmin& admin, const json_t* info, MetricSet& out);
void recorderMetrics(PluginAdmin& admin, const json_t* info, MetricSet& out);
void auditMetrics(PluginAdmin& admin, const json_t* info, MetricSet& out);
void fhirMetrics(PluginAdmin& admin, const json_t* info, MetricSet& out);

// Whether the room's stats counter `key` is one roomMetrics knows (exported, or on purpose not:
// shown from `info` instead). unit_metrics checks every counter the room's sources name.
bool roomCounterKnown(std::string_view key);

// A number field: an integer, a real or a boolean (1/0); nullopt when absent or of another type.
inline std::optional<double> numberField(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (json_is_integer(v)) return static_cast<double>(json_integer_value(v));
    if (json_is_real(v)) return json_real_value(v);
    if (json_is_boolean(v)) return json_is_true(v) ? 1.0 : 0.0;
    return std::nullopt;
}

// Sets `name` {labels} from obj[key] when the field is there.
inline void setField(MetricSet& out, std::string_view name, const json_t* obj, const char* key,
                     const Labels& labels = {}, double scale = 1) {
    if (auto v = numberField(obj, key)) out.set(name, labels, *v * scale);
}

}  // namespace hipaa::metrics
