// SPDX-License-Identifier: GPL-3.0-or-later
// janus.eventhandler.hipaa.fhir: status (docs/fhir.md). `info` carries no counters.
#include "PluginMetrics.hpp"

namespace hipaa::metrics {

void fhirMetrics(PluginAdmin& admin, const json_t*, MetricSet& out) {
    JsonPtr status = admin.ask("status");
    if (!status) return;
    const json_t* s = status.get();
    for (const char* state : {"pending", "dead", "sent"})
        setField(out, "janus_hipaa_fhir_outbox_bundles", s, state, {{"state", state}});
    setField(out, "janus_hipaa_fhir_outbox_failing_bundles", s, "failed");
    setField(out, "janus_hipaa_fhir_outbox_held_notes", s, "held_notes");
    setField(out, "janus_hipaa_fhir_outbox_oldest_pending_seconds", s, "oldest_pending_seconds");
    const json_t* mine = json_object_get(s, "this_instance");
    setField(out, "janus_hipaa_fhir_facts_received_total", mine, "visits", {{"kind", "visit"}});
    setField(out, "janus_hipaa_fhir_facts_received_total", mine, "notes", {{"kind", "note"}});
    constexpr std::pair<const char*, const char*> kOutcomes[] = {
        {"queued", "queued"}, {"held", "held"}, {"duplicates", "duplicate"}, {"skipped", "skipped"}, {"lost", "lost"}};
    for (const auto& [key, outcome] : kOutcomes)
        setField(out, "janus_hipaa_fhir_facts_total", mine, key, {{"outcome", outcome}});
    constexpr std::pair<const char*, const char*> kResults[] = {
        {"sent", "sent"}, {"retried", "retry"}, {"dead", "dead"}};
    for (const auto& [key, result] : kResults)
        setField(out, "janus_hipaa_fhir_send_attempts_total", mine, key, {{"result", result}});
    setField(out, "janus_hipaa_fhir_bundles_not_built_total", mine, "kept_unavailable",
             {{"reason", "kept_unavailable"}});
    setField(out, "janus_hipaa_fhir_bundles_not_built_total", mine, "too_large", {{"reason", "too_large"}});
    setField(out, "janus_hipaa_fhir_database_errors_total", mine, "db_errors");
}

}  // namespace hipaa::metrics
