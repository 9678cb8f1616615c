// SPDX-License-Identifier: GPL-3.0-or-later
// janus.eventhandler.hipaa.audit: info, stats, health (docs/audit.md).
#include "MetricCatalog.hpp"
#include "PluginMetrics.hpp"

#include <string>

namespace hipaa::metrics {
namespace {

// Janus' event types (JANUS_EVENT_TYPE_*), by bit: stats.events.by_type is keyed by 1 << bit.
constexpr const char* kEventTypes[] = {"session", "handle", "external",  "jsep", "webrtc",
                                       "media",   "plugin", "transport", "core"};

void auditFromInfo(const json_t* info, MetricSet& out) {
    const json_t* config = json_object_get(info, "config");
    setField(out, "janus_hipaa_audit_queue_capacity_events", json_object_get(config, "general"), "queue_capacity");
    setField(out, "janus_hipaa_audit_spool_capacity_bytes", json_object_get(config, "spool"), "max_mb", {},
             1024.0 * 1024.0);
    if (auto storage = jsonString(info, "storage"))
        out.set("janus_hipaa_audit_database_configured", {}, *storage == "postgresql" ? 1 : 0);
}

void auditFromStats(const json_t* stats, MetricSet& out) {
    const json_t* events = json_object_get(stats, "events");
    setField(out, "janus_hipaa_audit_events_received_total", events, "received");
    setField(out, "janus_hipaa_audit_events_processed_total", events, "processed");
    setField(out, "janus_hipaa_audit_events_refused_total", events, "refused_queue_full");
    if (json_t* byType = json_object_get(events, "by_type"); json_is_object(byType)) {
        constexpr const char* kName = "janus_hipaa_audit_events_by_type_total";
        for (const char* type : kEventTypes) out.set(kName, {{"type", type}}, 0);
        const char* key;
        json_t* value;
        json_object_foreach(byType, key, value) {
            std::string type = "other";
            for (size_t bit = 0; bit < std::size(kEventTypes); ++bit)
                if (std::to_string(1u << bit) == key) type = kEventTypes[bit];
            if (json_is_integer(value))
                out.add(kName, {{"type", type}}, static_cast<double>(json_integer_value(value)));
        }
    }
    setField(out, "janus_hipaa_audit_queue_events", stats, "queued");
    setField(out, "janus_hipaa_audit_records_committed_total", stats, "written");
    setField(out, "janus_hipaa_audit_records_spooled_total", stats, "spooled_total");
    setField(out, "janus_hipaa_audit_records_replayed_total", stats, "replayed");
    setField(out, "janus_hipaa_audit_spool_frames", stats, "spool_frames");
    setField(out, "janus_hipaa_audit_spool_bytes", stats, "spool_bytes");
    setField(out, "janus_hipaa_audit_spool_full", stats, "spool_full");
    setField(out, "janus_hipaa_audit_spool_full_episodes_total", stats, "spool_full_alerts");
    setField(out, "janus_hipaa_audit_checkpoints_written_total", stats, "checkpoints_written");
    setField(out, "janus_hipaa_audit_database_connected", stats, "db_connected");
    setField(out, "janus_hipaa_audit_database_failures_total", stats, "db_failures");
    setField(out, "janus_hipaa_audit_head_sequence", stats, "head_seq");
    setField(out, "janus_hipaa_audit_committed_sequence", stats, "committed_seq");
    const json_t* fields = json_object_get(stats, "fields");
    constexpr std::pair<const char*, const char*> kFields[] = {
        {"kept", "kept"},
        {"dropped_by_policy", "dropped_by_policy"},
        {"dropped_unknown", "dropped_unknown"},
        {"pseudonymized", "pseudonymized"},
        {"coarsened", "coarsened"},
        {"pattern_replacements", "pattern_replaced"},
    };
    for (const auto& [key, action] : kFields)
        setField(out, "janus_hipaa_audit_fields_total", fields, key, {{"action", action}});
    setField(out, "janus_hipaa_audit_lag_seconds", stats, "lag_seconds");
}

void fromHealth(const json_t* health, MetricSet& out) {
    auto healthy = jsonBool(health, "healthy");
    if (!healthy) return;
    constexpr const char* kReason = "janus_hipaa_audit_unhealthy_reason";
    out.set("janus_hipaa_audit_healthy", {}, *healthy ? 1 : 0);
    for (const char* reason : {"spool_full", "queue_full", "other"}) out.set(kReason, {{"reason", reason}}, 0);
    if (!*healthy)
        out.set(kReason,
                {{"reason", MetricCatalog::fold(kReason, "reason", jsonString(health, "reason").value_or(""))}}, 1);
}

}  // namespace

void auditMetrics(PluginAdmin& admin, const json_t* info, MetricSet& out) {
    auditFromInfo(info, out);
    if (JsonPtr stats = admin.ask("stats")) auditFromStats(stats.get(), out);
    if (JsonPtr health = admin.ask("health")) fromHealth(health.get(), out);
}

}  // namespace hipaa::metrics
