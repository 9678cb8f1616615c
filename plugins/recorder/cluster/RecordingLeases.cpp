// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingLeases.hpp"

#include "RecorderErrors.hpp"

#include <vector>

namespace hipaa::recorder {

const char* leaseKindName(LeaseKind kind) {
    switch (kind) {
        case LeaseKind::Open:
            return "open";
        case LeaseKind::Sweep:
            return "sweep";
        case LeaseKind::Op:
            return "op";
    }
    return "op";
}

RecordingLeases::RecordingLeases(std::string conninfo, std::string instanceId, std::chrono::milliseconds ttl)
    : instanceId_(std::move(instanceId)), ttl_(ttl) {
    options_.conninfo = std::move(conninfo);
    // Admin requests and the room's recording thread wait on these: fail fast, fail closed.
    options_.connectTimeoutSeconds = 2;
    options_.statementTimeoutMs = 2000;
    options_.applicationName = "janus-hipaa-recorder";
}

template <typename F>
auto RecordingLeases::withConn(F&& fn) {
    try {
        if (!conn_ || !conn_->ok()) {
            conn_.reset();
            conn_.emplace(PgConn::connect(options_));
        }
        return fn(*conn_);
    } catch (const DbError& e) {
        conn_.reset();
        // PostgreSQL's text may name the host and user: only the SQLSTATE leaves.
        throw RequestError(
            errc::kClusterUnavailable,
            "cluster store unavailable (SQLSTATE " + (e.sqlstate().empty() ? std::string("none") : e.sqlstate()) + ")");
    }
}

std::optional<LeaseHolder> RecordingLeases::acquire(const std::string& recording, LeaseKind kind) {
    std::lock_guard lock(mutex_);
    const std::string ms = std::to_string(ttl_.count());
    return withConn([&](PgConn& c) -> std::optional<LeaseHolder> {
        for (int attempt = 0; attempt < 2; ++attempt) {
            PgResult taken = c.execParams(
                "INSERT INTO public.recorder_lease AS l (recording, owner, kind, expires_at) "
                "VALUES ($1, $2, $3, now() + $4::bigint * interval '1 millisecond') "
                "ON CONFLICT (recording) DO UPDATE SET owner = EXCLUDED.owner, kind = EXCLUDED.kind, "
                "acquired_at = now(), expires_at = EXCLUDED.expires_at WHERE l.expires_at <= now() "
                "RETURNING 1",
                {recording, instanceId_, leaseKindName(kind), ms});
            if (taken.rows() == 1) {
                held_.emplace(recording, leaseKindName(kind));
                return std::nullopt;
            }
            PgResult who = c.execParams(
                "SELECT owner, kind FROM public.recorder_lease WHERE recording = $1 AND expires_at > now()",
                {recording});
            if (who.rows() == 1) return LeaseHolder{std::string(who.value(0, 0)), std::string(who.value(0, 1))};
            // Released or lapsed between the two statements: try once more.
        }
        return LeaseHolder{"", "unknown"};
    });
}

void RecordingLeases::release(const std::string& recording, LeaseKind kind) {
    std::lock_guard lock(mutex_);
    withConn([&](PgConn& c) {
        c.execParams("DELETE FROM public.recorder_lease WHERE recording = $1 AND owner = $2 AND kind = $3",
                     {recording, instanceId_, leaseKindName(kind)});
        return 0;
    });
    held_.erase({recording, leaseKindName(kind)});
}

std::set<std::string> RecordingLeases::renew() {
    std::lock_guard lock(mutex_);
    std::set<std::string> lost;
    if (held_.empty()) return lost;
    std::vector<std::string> ids;
    for (const auto& [id, kind] : held_) ids.push_back(id);
    std::set<std::pair<std::string, std::string>> still;
    withConn([&](PgConn& c) {
        PgResult r = c.execParams(
            "UPDATE public.recorder_lease SET expires_at = now() + $3::bigint * interval '1 millisecond' "
            "WHERE owner = $1 AND recording = ANY($2) RETURNING recording, kind",
            {instanceId_, PgParam::textArray(ids), std::to_string(ttl_.count())});
        for (int i = 0; i < r.rows(); ++i) still.emplace(std::string(r.value(i, 0)), std::string(r.value(i, 1)));
        return 0;
    });
    for (const auto& h : held_)
        if (!still.count(h)) lost.insert(h.first);
    held_ = std::move(still);
    return lost;
}

void RecordingLeases::releaseLeftovers() {
    std::lock_guard lock(mutex_);
    withConn([&](PgConn& c) {
        std::vector<std::string> ids;
        for (const auto& [id, kind] : held_) ids.push_back(id);
        c.execParams("DELETE FROM public.recorder_lease WHERE owner = $1 AND NOT recording = ANY($2)",
                     {instanceId_, PgParam::textArray(ids)});
        return 0;
    });
}

void RecordingLeases::releaseAll() {
    std::lock_guard lock(mutex_);
    withConn([&](PgConn& c) {
        c.execParams("DELETE FROM public.recorder_lease WHERE owner = $1", {instanceId_});
        return 0;
    });
    held_.clear();
}

std::optional<LeaseHolder> RecordingLeases::holder(const std::string& recording) {
    std::lock_guard lock(mutex_);
    return withConn([&](PgConn& c) -> std::optional<LeaseHolder> {
        PgResult who = c.execParams(
            "SELECT owner, kind FROM public.recorder_lease WHERE recording = $1 AND expires_at > now()", {recording});
        if (who.rows() == 0) return std::nullopt;
        return LeaseHolder{std::string(who.value(0, 0)), std::string(who.value(0, 1))};
    });
}

size_t RecordingLeases::held() const {
    std::lock_guard lock(mutex_);
    return held_.size();
}

}  // namespace hipaa::recorder
