// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditChainEvidence.hpp"

#include "../AdminError.hpp"
#include "../PluginNames.hpp"
#include "AuditDatabase.hpp"

namespace hipaa::cli {

EvidenceSection AuditChainEvidence::collect(const EvidenceSources& src) {
    EvidenceSection s("audit-chain", "Audit trail integrity (chain per instance, checkpoint signatures)",
                      "Audit handler verify (Admin API): recomputes every record hash, prev_hash links, sequence "
                      "continuity, every checkpoint's Ed25519 signature and the head file; newest checkpoint per "
                      "instance from audit_checkpoint.");
    std::map<std::string, AuditDatabase::Checkpoint> checkpoints;
    if (!src.auditConninfo) {
        s.unchecked("no --audit-conninfo: the time of each instance's last checkpoint is not shown");
    } else {
        try {
            checkpoints = AuditDatabase(*src.auditConninfo).lastCheckpoints();
        } catch (const std::exception& e) {
            s.unchecked(std::string("audit database: ") + e.what());
        }
    }
    JsonPtr answer;
    try {
        answer = src.ask(plugins::kAudit, JsonBuilder().set("request", "verify"));
    } catch (const AdminError& e) {
        s.unchecked(std::string("audit verify: ") + e.what());
        return s;
    }
    s.columns({"instance", "verified", "records checked", "checkpoints checked", "last seq", "first broken seq",
               "reason", "last checkpoint seq", "last checkpoint signed"});
    const json_t* instances = json_object_get(answer.get(), "instances");
    if (json_array_size(instances) == 0) s.fail("verify answered no instance: nothing was verified");
    size_t i;
    const json_t* r;
    json_array_foreach(instances, i, r) {
        const std::string instance(jsonString(r, "instance_id").value_or(""));
        const bool ok = jsonBool(r, "ok").value_or(false);
        auto broken = jsonInt(r, "first_broken_seq");
        const std::string reason(jsonString(r, "reason").value_or(""));
        if (!ok)
            s.fail("chain of instance " + instance + " broken" +
                   (broken ? " at record seq " + std::to_string(*broken) : std::string()) +
                   (reason.empty() ? "" : ": " + reason));
        auto cp = checkpoints.find(instance);
        s.row({instance, ok ? "intact" : "BROKEN", std::to_string(jsonInt(r, "records_checked").value_or(0)),
               std::to_string(jsonInt(r, "checkpoints_checked").value_or(0)),
               std::to_string(jsonInt(r, "last_seq").value_or(0)), broken ? std::to_string(*broken) : "", reason,
               cp == checkpoints.end() ? "" : std::to_string(cp->second.seq),
               cp == checkpoints.end() ? "" : cp->second.signedAt});
        if (ok && jsonInt(r, "records_checked").value_or(0) > 0 && jsonInt(r, "checkpoints_checked").value_or(0) == 0)
            s.unchecked("instance " + instance + ": no signed checkpoint yet, so no signature to check");
    }
    return s;
}

}  // namespace hipaa::cli
