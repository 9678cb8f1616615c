// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditDatabase.hpp"

#include <string>

namespace hipaa::cli {
namespace {

PgConn open(const std::string& conninfo) {
    PgConn::Options o;
    o.conninfo = conninfo;
    o.applicationName = "janus-hipaa evidence";
    return PgConn::connect(o);
}

constexpr const char* kFailed = "outcome IN ('failure', 'refused')";
constexpr const char* kPeriod = "event_time >= now() - make_interval(days => $1::int)";

}  // namespace

AuditDatabase::AuditDatabase(const std::string& conninfo) : conn_(open(conninfo)) {
    conn_.exec("SET default_transaction_read_only = on");
}

std::vector<AuditDatabase::Count> AuditDatabase::counts(const std::string& sql, int days) {
    PgResult r = conn_.execParams(sql, {PgParam(std::to_string(days))});
    std::vector<Count> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({std::string(r.value(i, 0)), std::stoll(std::string(r.value(i, 1)))});
    return out;
}

std::map<std::string, std::string> AuditDatabase::configDigests(const std::string& instance) {
    PgResult r = conn_.execParams(
        "SELECT DISTINCT ON (plugin) plugin, coalesce(event #>> '{object,digest}', event ->> 'digest', '') "
        "FROM audit_record WHERE action = 'config.loaded' AND plugin IS NOT NULL "
        "AND ($1::text = '' OR instance_id = $1::text) ORDER BY plugin, event_time DESC, seq DESC",
        {PgParam(instance)});
    std::map<std::string, std::string> out;
    for (int i = 0; i < r.rows(); ++i) out[std::string(r.value(i, 0))] = std::string(r.value(i, 1));
    return out;
}

std::vector<AuditDatabase::Count> AuditDatabase::refusalsPerDay(int days) {
    return counts(std::string("SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d, count(*) "
                              "FROM audit_record WHERE ") +
                      kFailed + " AND " + kPeriod + " GROUP BY 1 ORDER BY 1",
                  days);
}

std::vector<AuditDatabase::Count> AuditDatabase::refusalsByReason(int days) {
    // The gate's records carry `reason`; plugin events (a refused join) `data.reason` and `data.error_code`.
    return counts(std::string("SELECT action || ' / ' || coalesce(event ->> 'reason', event #>> '{data,reason}', "
                              "event #>> '{event,data,reason}', outcome) || coalesce(' (' || coalesce("
                              "event #>> '{data,error_code}', event #>> '{event,data,error_code}', "
                              "event ->> 'error_code') || ')', '') AS r, count(*) FROM audit_record WHERE ") +
                      kFailed + " AND " + kPeriod + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50",
                  days);
}

std::vector<AuditDatabase::Count> AuditDatabase::lockouts(int days) {
    return counts(std::string("SELECT coalesce(event #>> '{data,scope}', event #>> '{event,scope}', "
                              "event ->> 'scope', 'unknown') AS s, count(*) FROM audit_record "
                              "WHERE action LIKE '%lockout%' AND ") +
                      kPeriod + " GROUP BY 1 ORDER BY 1",
                  days);
}

std::vector<AuditDatabase::Count> AuditDatabase::lagPerDay(int days) {
    return counts(std::string("SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD'), "
                              "greatest(0, ceil(max(extract(epoch FROM recorded_at - event_time))))::bigint "
                              "FROM audit_record WHERE ") +
                      kPeriod + " GROUP BY 1 ORDER BY 1",
                  days);
}

std::map<std::string, AuditDatabase::Checkpoint> AuditDatabase::lastCheckpoints() {
    PgResult r = conn_.exec(
        "SELECT DISTINCT ON (instance_id) instance_id, seq, "
        "to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
        "FROM audit_checkpoint ORDER BY instance_id, seq DESC");
    std::map<std::string, Checkpoint> out;
    for (int i = 0; i < r.rows(); ++i)
        out[std::string(r.value(i, 0))] = {std::stoll(std::string(r.value(i, 1))), std::string(r.value(i, 2))};
    return out;
}

}  // namespace hipaa::cli
