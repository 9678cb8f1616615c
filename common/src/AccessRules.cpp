// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/AccessRules.hpp"

#include <algorithm>

namespace hipaa {
namespace {

constexpr Access N = Access::None, M = Access::Metadata, O = Access::Own, S = Access::OwnSealed, A = Access::Any;
constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";
constexpr const char* kAudit = "janus.eventhandler.hipaa.audit";
constexpr const char* kFhir = "janus.eventhandler.hipaa.fhir";

}  // namespace

const char* actorRoleName(ActorRole role) {
    switch (role) {
        case ActorRole::Provider:
            return "provider";
        case ActorRole::Patient:
            return "patient";
        case ActorRole::AdminStaff:
            return "admin_staff";
        case ActorRole::ComplianceOfficer:
            return "compliance_officer";
        case ActorRole::Support:
            return "support";
        case ActorRole::RecordsOfficer:
            return "records_officer";
    }
    return "unknown";
}

std::optional<ActorRole> parseActorRole(std::string_view name) {
    for (ActorRole r : kActorRoles)
        if (name == actorRoleName(r)) return r;
    return std::nullopt;
}

const std::vector<AccessRule>& accessRules() {
    // Columns: provider, patient, admin_staff, compliance_officer, support, records_officer.
    static const std::vector<AccessRule> rules{
        {"recording.list", kRecorder, "list", {O, S, M, A, M, A}},
        {"recording.status", kRecorder, "status", {O, S, M, A, M, A}},
        {"recording.verify", kRecorder, "verify", {O, N, N, A, N, A}},
        {"recording.export", kRecorder, "export", {O, S, N, N, N, A}},
        {"recording.patient_copy", kRecorder, "patient_copy", {N, S, N, N, N, A}},
        {"recording.hold", kRecorder, "hold", {N, N, N, N, N, A}},
        {"recording.release", kRecorder, "release", {N, N, N, N, N, A}},
        {"recording.delete", kRecorder, "delete", {N, N, N, N, N, A}},
        {"recording.rewrap", kRecorder, "rewrap", {N, N, N, N, N, A}},
        {"audit.query", kAudit, "query", {N, N, N, A, N, N}},
        {"audit.export", kAudit, "export", {N, N, N, A, N, N}},
        {"audit.pseudonym", kAudit, "pseudonym", {N, N, N, A, N, N}},
        {"fhir.pending", kFhir, "pending", {N, N, M, A, M, A}},
        {"fhir.export", kFhir, "export", {N, N, N, N, N, A}},
        {"fhir.retry", kFhir, "retry", {N, N, N, N, N, A}},
    };
    return rules;
}

Access accessFor(ActorRole role, std::string_view action) {
    const auto& rules = accessRules();
    auto it = std::find_if(rules.begin(), rules.end(), [&](const AccessRule& r) { return r.action == action; });
    if (it == rules.end()) return Access::None;
    return it->byRole[static_cast<size_t>(role)];
}

const char* accessName(Access access) {
    switch (access) {
        case Access::None:
            return "none";
        case Access::Metadata:
            return "metadata";
        case Access::Own:
            return "own";
        case Access::OwnSealed:
            return "own_sealed";
        case Access::Any:
            return "any";
    }
    return "none";
}

}  // namespace hipaa
