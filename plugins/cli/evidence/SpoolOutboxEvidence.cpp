// SPDX-License-Identifier: GPL-3.0-or-later
#include "SpoolOutboxEvidence.hpp"

#include "../AdminError.hpp"
#include "../FieldList.hpp"
#include "../PluginNames.hpp"

namespace hipaa::cli {

EvidenceSection SpoolOutboxEvidence::collect(const EvidenceSources& src) {
    EvidenceSection s("spool-outbox", "Audit spool and FHIR outbox health",
                      "Audit handler health and stats, FHIR handler status (Admin API), now.");
    try {
        JsonPtr health = src.ask(plugins::kAudit, JsonBuilder().set("request", "health"));
        JsonPtr stats = src.ask(plugins::kAudit, JsonBuilder().set("request", "stats"));
        const bool healthy = jsonBool(health.get(), "healthy").value_or(false);
        s.figure("audit handler", healthy ? "healthy" : "UNHEALTHY: " + FieldList::text(health.get(), "reason"));
        if (!healthy) s.fail("audit handler unhealthy: " + FieldList::text(health.get(), "reason"));
        for (const char* k : {"db_connected", "queued", "spool_frames", "spool_bytes", "spool_full", "lag_seconds",
                              "checkpoints_written", "db_failures"})
            s.figure(std::string("audit ") + k, FieldList::text(stats.get(), k));
        if (jsonBool(stats.get(), "spool_full").value_or(false)) s.fail("audit spool full");
    } catch (const AdminError& e) {
        s.unchecked(std::string("audit health/stats: ") + e.what());
    }
    try {
        JsonPtr status = src.ask(plugins::kFhir, JsonBuilder().set("request", "status"));
        for (const char* k : {"pending", "failed", "dead", "sent", "held_notes", "oldest_pending_seconds"})
            s.figure(std::string("FHIR outbox ") + k, FieldList::text(status.get(), k));
        if (jsonInt(status.get(), "dead").value_or(0) > 0)
            s.fail("FHIR outbox: " + FieldList::text(status.get(), "dead") +
                   " bundles dead-lettered (janus-hipaa fhir pending --state dead)");
    } catch (const AdminError& e) {
        s.unchecked(std::string("FHIR status: ") + e.what());
    }
    return s;
}

}  // namespace hipaa::cli
