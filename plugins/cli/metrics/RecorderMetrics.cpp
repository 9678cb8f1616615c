// SPDX-License-Identifier: GPL-3.0-or-later
// janus.plugin.hipaa.recorder: info and stats (docs/recorder.md).
#include "MetricCatalog.hpp"
#include "PluginMetrics.hpp"

#include <set>
#include <string>

namespace hipaa::metrics {
namespace {

constexpr const char* kRecordings = "janus_hipaa_recorder_recordings";

}  // namespace

// `stats` is PHI-free and needs no actor token (list and status do): counts and summed counters only.
void recorderMetrics(PluginAdmin& admin, const json_t* info, MetricSet& out) {
    setField(out, "janus_hipaa_recorder_active_recordings", info, "active");
    setField(out, "janus_hipaa_recorder_sessions", info, "sessions");
    setField(out, "janus_hipaa_recorder_write_failures_total", info, "write_failures");
    setField(out, "janus_hipaa_recorder_key_version", info, "key_version");
    JsonPtr stats = admin.ask("stats");
    const json_t* recordings = json_object_get(stats.get(), "recordings");
    if (!json_is_array(recordings)) return;
    // Every status of every policy in use (and the default one) is shown, 0 included.
    std::set<std::string> policies;
    const json_t* general = json_object_get(json_object_get(info, "config"), "general");
    if (auto p = jsonString(general, "default_policy")) policies.insert(MetricCatalog::fold(kRecordings, "policy", *p));
    size_t i;
    const json_t* r;
    json_array_foreach(recordings, i, r)
        policies.insert(MetricCatalog::fold(kRecordings, "policy", jsonString(r, "policy").value_or("")));
    for (const std::string& policy : policies)
        for (const char* status : {"recording", "sealed", "failed", "interrupted", "deleted"})
            out.set(kRecordings, {{"status", status}, {"policy", policy}}, 0);
    json_array_foreach(recordings, i, r) {
        out.add(kRecordings,
                {{"status", MetricCatalog::fold(kRecordings, "status", jsonString(r, "status").value_or(""))},
                 {"policy", MetricCatalog::fold(kRecordings, "policy", jsonString(r, "policy").value_or(""))}},
                numberField(r, "count").value_or(0));
    }
    setField(out, "janus_hipaa_recorder_recordings_on_hold", stats.get(), "on_hold");
    const json_t* active = json_object_get(stats.get(), "active");
    if (!json_is_object(active)) return;
    setField(out, "janus_hipaa_recorder_active_bytes", active, "bytes");
    for (const char* result : {"received", "recorded", "srtp_failed", "lost", "ssrc_refused"})
        out.set("janus_hipaa_recorder_active_packets", {{"result", result}}, numberField(active, result).value_or(0));
    setField(out, "janus_hipaa_recorder_active_failed_streams", active, "failed_streams");
}

}  // namespace hipaa::metrics
