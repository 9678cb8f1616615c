// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingEvidence.hpp"

#include "../AdminError.hpp"
#include "../FieldList.hpp"
#include "../PluginNames.hpp"

#include <algorithm>
#include <map>

namespace hipaa::cli {
namespace {

constexpr int64_t kMsPerDay = 86400000;

struct Entry {
    std::string id, status, policy;
    bool hold = false;
    int64_t createdMs = 0, expiresMs = 0;
};

std::string utcMs(int64_t ms) { return ms > 0 ? FieldList::utc(ms / 1000) : ""; }

// Sealed: manifest valid and every file's chunks authenticated with the key; deleted: receipt valid and
// key destroyed. "" when it holds, else what failed.
std::string problem(const std::string& status, const json_t* v) {
    if (!jsonBool(v, "ok").value_or(false)) {
        if (auto p = jsonString(v, "problem")) return std::string(*p);
        return "verify: not ok";
    }
    if (status == "deleted") return "";
    size_t i;
    const json_t* f;
    json_array_foreach(json_object_get(v, "files"), i, f) {
        if (!jsonBool(f, "chunks_checked").value_or(false))
            return "file " + std::string(jsonString(f, "file").value_or("")) +
                   ": key not unwrapped, chunks not authenticated";
    }
    return "";
}

}  // namespace

EvidenceSection RecordingEvidence::collect(const EvidenceSources& src) {
    EvidenceSection s("recordings", "Recordings: encryption at rest, retention, holds, deletion receipts",
                      "Recorder config (policies), stats, list and verify (Admin API, gated: actor token). Sealed "
                      "recordings are AES-256-GCM chunks under a per-recording key wrapped by the keyring; verify "
                      "checks the signed manifest, each file's SHA-256 and authenticates every chunk.");
    if (const json_t* policies = json_object_get(src.config(plugins::kRecorder), "policies")) {
        const char* name;
        const json_t* v;
        json_object_foreach(const_cast<json_t*>(policies), name, v) {
            s.figure(std::string("policy ") + name, FieldList::text(v));
        }
    }
    if (auto it = src.info.find(plugins::kRecorder); it != src.info.end())
        s.figure("deleted by retention since start", FieldList::text(it->second.get(), "retention_deleted"));
    try {
        JsonPtr stats = src.ask(plugins::kRecorder, JsonBuilder().set("request", "stats"));
        std::map<std::string, double> byPolicy;
        size_t i;
        const json_t* r;
        json_array_foreach(json_object_get(stats.get(), "recordings"), i, r) {
            if (jsonString(r, "status").value_or("") == "deleted") continue;
            byPolicy[std::string(jsonString(r, "policy").value_or(""))] +=
                static_cast<double>(jsonInt(r, "count").value_or(0));
        }
        s.chart("recordings kept, by policy", {byPolicy.begin(), byPolicy.end()});
        s.figure("on legal hold", FieldList::text(stats.get(), "on_hold"));
    } catch (const AdminError& e) {
        s.unchecked(std::string("recorder stats: ") + e.what());
    }

    std::vector<Entry> entries;
    try {
        JsonBuilder list;
        list.set("request", "list");
        src.addActorToken(list);
        JsonPtr answer = src.ask(plugins::kRecorder, std::move(list));
        size_t i;
        const json_t* r;
        json_array_foreach(json_object_get(answer.get(), "recordings"), i, r) {
            entries.push_back({std::string(jsonString(r, "recording").value_or("")),
                               std::string(jsonString(r, "status").value_or("")),
                               std::string(jsonString(r, "policy").value_or("")), jsonBool(r, "hold").value_or(false),
                               jsonInt(r, "created_ms").value_or(0), jsonInt(r, "expires_ms").value_or(0)});
        }
    } catch (const std::exception& e) {
        s.unchecked(std::string("recorder list (needs --actor-token-file, a role that sees every recording): ") +
                    e.what());
        return s;
    }
    std::map<std::string, int> byStatus;
    std::map<std::string, int64_t> retentionDays;  // policy -> the longest retention its recordings got
    for (const auto& e : entries) {
        ++byStatus[e.status];
        if (e.createdMs > 0 && e.expiresMs > e.createdMs)
            retentionDays[e.policy] = std::max(retentionDays[e.policy], (e.expiresMs - e.createdMs) / kMsPerDay);
    }
    for (const auto& [policy, days] : retentionDays)
        s.figure("retention of policy " + policy + " (from its recordings)", std::to_string(days) + " days");
    for (const auto& [status, n] : byStatus) s.figure("recordings " + status, std::to_string(n));
    const int64_t nowMs = src.nowS * 1000, horizon = nowMs + src.upcomingDays * kMsPerDay;
    auto due = [&](const Entry& e) {
        return e.status != "deleted" && e.status != "recording" && !e.hold && e.expiresMs > 0 && e.expiresMs <= horizon;
    };
    const auto upcoming = std::count_if(entries.begin(), entries.end(), due);
    s.figure("deletions due within " + std::to_string(src.upcomingDays) + " days", std::to_string(upcoming));

    // The newest of each kind: what changed most recently is what a reviewer asks about.
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.createdMs > b.createdMs; });
    s.columns({"recording (sample, due soon, held)", "status", "policy", "hold", "expires (UTC)", "verified now"});
    int sealed = 0, deleted = 0;
    for (const auto& e : entries) {
        bool sample = (e.status == "sealed" && sealed < src.verifySample) ||
                      (e.status == "deleted" && deleted < src.verifySample);
        std::string verified = "not in the sample";
        if (sample) {
            (e.status == "sealed" ? sealed : deleted)++;
            try {
                JsonBuilder v;
                v.set("request", "verify").set("recording", std::string_view(e.id));
                src.addActorToken(v);
                JsonPtr answer = src.ask(plugins::kRecorder, std::move(v));
                std::string p = problem(e.status, json_object_get(answer.get(), "verification"));
                verified = p.empty()
                               ? (e.status == "deleted" ? "receipt valid, key destroyed" : "sealed, authenticated")
                               : "FAILED: " + p;
                if (!p.empty()) s.fail("recording " + e.id + ": " + p);
            } catch (const std::exception& ex) {
                verified = "could not verify";
                s.unchecked("verify " + e.id + ": " + ex.what());
            }
        }
        // Rows for what a reviewer looks at: the sample, deletions due soon, holds.
        if (sample || due(e) || e.hold)
            s.row({e.id, e.status, e.policy, e.hold ? "HOLD" : "", utcMs(e.expiresMs), verified});
    }
    s.figure("sealed recordings verified now", std::to_string(sealed));
    s.figure("deletion receipts verified now", std::to_string(deleted));
    if (sealed == 0) s.unchecked("no sealed recording to verify: encryption at rest not shown on a sample");
    return s;
}

}  // namespace hipaa::cli
