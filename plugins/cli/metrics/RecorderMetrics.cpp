// SPDX-License-Identifier: GPL-3.0-or-later
// janus.plugin.hipaa.recorder: info, list, and status of each running recording (docs/recorder.md).
#include "MetricCatalog.hpp"
#include "PluginMetrics.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <set>
#include <string>
#include <vector>

namespace hipaa::metrics {
namespace {

// Above this many running recordings the per-recording status requests are skipped (and the
// active_* families left out): one scrape stays a bounded number of requests.
constexpr size_t kMaxStatusRequests = 100;
constexpr const char* kRecordings = "janus_hipaa_recorder_recordings";

// Sums the live counters of each running recording; sets nothing when a status request failed (no
// partial sums).
void activeCounters(PluginAdmin& admin, const std::vector<std::string>& running, MetricSet& out) {
    double bytes = 0, failedStreams = 0;
    const char* const kResults[] = {"received", "recorded", "srtp_failed", "lost", "ssrc_refused"};
    double packets[std::size(kResults)] = {};
    for (const std::string& id : running) {
        JsonPtr s = admin.ask("status", JsonBuilder().set("recording", std::string_view(id)).build());
        if (!s) return;
        size_t i;
        const json_t* c;
        json_array_foreach(json_object_get(s.get(), "counters"), i, c) {
            bytes += numberField(c, "bytes").value_or(0);
            for (size_t r = 0; r < std::size(kResults); ++r) packets[r] += numberField(c, kResults[r]).value_or(0);
            if (json_object_get(c, "write_error")) ++failedStreams;
        }
    }
    out.set("janus_hipaa_recorder_active_bytes", {}, bytes);
    for (size_t r = 0; r < std::size(kResults); ++r)
        out.set("janus_hipaa_recorder_active_packets", {{"result", kResults[r]}}, packets[r]);
    out.set("janus_hipaa_recorder_active_failed_streams", {}, failedStreams);
}

}  // namespace

void recorderMetrics(PluginAdmin& admin, const json_t* info, MetricSet& out) {
    setField(out, "janus_hipaa_recorder_active_recordings", info, "active");
    setField(out, "janus_hipaa_recorder_sessions", info, "sessions");
    setField(out, "janus_hipaa_recorder_write_failures_total", info, "write_failures");
    setField(out, "janus_hipaa_recorder_key_version", info, "key_version");
    JsonPtr list = admin.ask("list");
    const json_t* recordings = json_object_get(list.get(), "recordings");
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
    double onHold = 0;
    std::vector<std::string> running;
    json_array_foreach(recordings, i, r) {
        std::string_view status = jsonString(r, "status").value_or("");
        out.add(kRecordings,
                {{"status", MetricCatalog::fold(kRecordings, "status", status)},
                 {"policy", MetricCatalog::fold(kRecordings, "policy", jsonString(r, "policy").value_or(""))}},
                1);
        if (jsonBool(r, "hold").value_or(false)) ++onHold;
        if (status == "recording") running.emplace_back(jsonString(r, "recording").value_or(""));
    }
    out.set("janus_hipaa_recorder_recordings_on_hold", {}, onHold);
    if (running.size() <= kMaxStatusRequests) activeCounters(admin, running, out);
}

}  // namespace hipaa::metrics
