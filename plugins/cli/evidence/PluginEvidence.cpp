// SPDX-License-Identifier: GPL-3.0-or-later
#include "PluginEvidence.hpp"

#include "../PluginNames.hpp"
#include "AuditDatabase.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Hash.hpp"

#include <map>

namespace hipaa::cli {

std::string PluginEvidence::configDigest(const json_t* effectiveConfig) {
    return hexEncode(sha256(asBytes(jsonDump(effectiveConfig))));
}

EvidenceSection PluginEvidence::collect(const EvidenceSources& src) {
    EvidenceSection s("plugins", "Plugins: versions and config digests",
                      "Admin API info of each plugin; digest = SHA-256 of its effective config (canonical JSON, "
                      "secrets redacted), compared with its newest config.loaded record in the audit trail.");
    std::map<std::string, std::string> trail;
    std::string trailWhy;
    if (!src.auditConninfo) {
        trailWhy = "no --audit-conninfo: config digests not compared with the audit trail";
    } else {
        try {
            auto audit = src.info.find(plugins::kAudit);
            std::string instance =
                audit == src.info.end() ? "" : std::string(jsonString(audit->second.get(), "instance_id").value_or(""));
            trail = AuditDatabase(*src.auditConninfo).configDigests(instance);
        } catch (const std::exception& e) {
            trailWhy = std::string("audit database: ") + e.what();
        }
    }
    if (!trailWhy.empty()) s.unchecked(trailWhy);
    s.columns({"plugin", "version", "development", "config digest", "audit trail config.loaded"});
    for (const char* p : {plugins::kRoom, plugins::kRecorder, plugins::kAudit, plugins::kFhir}) {
        auto it = src.info.find(p);
        if (it == src.info.end()) {
            auto err = src.infoError.find(p);
            s.fail(std::string(p) + " did not answer info: " + (err == src.infoError.end() ? "" : err->second));
            s.row({p, "", "", "", ""});
            continue;
        }
        const json_t* info = it->second.get();
        const json_t* config = json_object_get(info, "config");
        const std::string digest = configDigest(config);
        const bool development = jsonBool(json_object_get(config, "general"), "development").value_or(false) ||
                                 jsonBool(info, "development").value_or(false);
        if (development)
            s.fail(std::string(p) + " runs with general.development = true (the admin secret alone passes)");
        std::string matched = "not compared";
        if (trailWhy.empty()) {
            auto t = trail.find(p);
            if (t == trail.end()) {
                matched = "no config.loaded record";
                s.fail(std::string(p) + ": no config.loaded record in the audit trail");
            } else if (t->second == digest) {
                matched = "matches";
            } else {
                matched = "differs: " + t->second;
                s.fail(std::string(p) + ": config digest differs from its newest config.loaded record");
            }
        }
        s.row({p, std::string(jsonString(info, "version").value_or("")), development ? "TRUE" : "false", digest,
               matched});
    }
    return s;
}

}  // namespace hipaa::cli
