// SPDX-License-Identifier: GPL-3.0-or-later
#include "AccessEvidence.hpp"

#include "AuditDatabase.hpp"

namespace hipaa::cli {
namespace {

std::vector<std::pair<std::string, double>> bars(const std::vector<AuditDatabase::Count>& counts) {
    std::vector<std::pair<std::string, double>> out;
    out.reserve(counts.size());
    for (const auto& c : counts) out.emplace_back(c.label, static_cast<double>(c.n));
    return out;
}

int64_t total(const std::vector<AuditDatabase::Count>& counts) {
    int64_t n = 0;
    for (const auto& c : counts) n += c.n;
    return n;
}

}  // namespace

EvidenceSection AccessEvidence::collect(const EvidenceSources& src) {
    EvidenceSection s("access", "Failed access attempts, lockouts and audit lag",
                      "Counted in the audit database (audit_record: outcome failure or refused; lockout events; "
                      "recorded_at - event_time) over the period. Counts only: no actor, room or event content.");
    if (!src.auditConninfo) {
        s.unchecked("no --audit-conninfo: failed access attempts, lockouts and audit lag were not counted");
        return s;
    }
    try {
        AuditDatabase db(*src.auditConninfo);
        auto perDay = db.refusalsPerDay(src.periodDays);
        auto byReason = db.refusalsByReason(src.periodDays);
        auto lockouts = db.lockouts(src.periodDays);
        auto lag = db.lagPerDay(src.periodDays);
        s.figure("failed or refused accesses", std::to_string(total(perDay)));
        s.figure("lockouts", std::to_string(total(lockouts)));
        for (const auto& l : lockouts) s.figure("lockouts, scope " + l.label, std::to_string(l.n));
        int64_t maxLag = 0;
        for (const auto& l : lag) maxLag = std::max(maxLag, l.n);
        s.figure("largest audit lag (s)", std::to_string(maxLag));
        s.columns({"action / reason", "count"});
        for (const auto& r : byReason) s.row({r.label, std::to_string(r.n)});
        s.chart("failed or refused accesses per day (UTC)", bars(perDay));
        s.chart("largest audit lag per day, seconds (UTC)", bars(lag));
    } catch (const std::exception& e) {
        s.unchecked(std::string("audit database: ") + e.what());
    }
    return s;
}

}  // namespace hipaa::cli
