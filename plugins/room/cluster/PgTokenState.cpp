// SPDX-License-Identifier: GPL-3.0-or-later
#include "PgTokenState.hpp"

#include "RoomErrors.hpp"

#include "hipaa/JsonBuilder.hpp"

namespace hipaa::room {
namespace {

std::string text(int64_t v) { return std::to_string(v); }

SharedTokenState::Verdict verdictOf(const PgResult& r) {
    std::string_view v = r.rows() == 1 ? r.value(0, 0) : std::string_view();
    if (v == "fresh") return SharedTokenState::Verdict::Fresh;
    if (v == "replayed") return SharedTokenState::Verdict::Replayed;
    if (v == "revoked") return SharedTokenState::Verdict::Revoked;
    if (v == "locked") return SharedTokenState::Verdict::Locked;
    throw Error(errc::kSharedStateUnavailable, "shared token state unavailable (unexpected_answer)");
}

}  // namespace

PgTokenState::PgTokenState(Options options) : options_(std::move(options)) {}

PgResult PgTokenState::run(const std::function<PgResult(PgConn&)>& fn) {
    std::lock_guard lock(m_);
    auto now = StoreBackoff::Clock::now();
    if (!conn_ || !conn_->ok()) {
        conn_.reset();
        if (!backoff_.mayTry(now)) {
            ++unavailable_;
            throw Error(errc::kSharedStateUnavailable, "shared token state unavailable (" + lastError_ + ")");
        }
        try {
            conn_.emplace(PgConn::connect({.conninfo = options_.conninfo,
                                           .connectTimeoutSeconds = options_.connectTimeoutS,
                                           .statementTimeoutMs = options_.statementTimeoutMs,
                                           .applicationName = "janus-hipaa-room"}));
            // A spent jti need not wait for the disk: a join then costs a round trip, not an fsync
            // (docs/room.md: a database crash may forget the last fraction of a second of spent
            // jtis). Revocations are written synchronously (revoke()).
            conn_->exec("SET synchronous_commit = off");
            ++reconnects_;
        } catch (const DbError&) {
            lastError_ = "connect_failed";
            backoff_.failed(now);
            connected_ = false;
            ++unavailable_;
            throw Error(errc::kSharedStateUnavailable, "shared token state unavailable (connect_failed)");
        }
    }
    try {
        PgResult r = fn(*conn_);
        backoff_.succeeded();
        lastError_.clear();
        connected_ = true;
        return r;
    } catch (const DbError& e) {
        // Whatever went wrong (lost connection, timeout, a missing grant), this answer is not known:
        // fail closed, and start over with a new connection.
        lastError_ = e.sqlstate().empty() ? "query_failed" : "sqlstate_" + e.sqlstate();
        conn_.reset();
        backoff_.failed(now);
        connected_ = false;
        ++unavailable_;
        throw Error(errc::kSharedStateUnavailable, "shared token state unavailable (" + lastError_ + ")");
    }
}

SharedTokenState::Verdict PgTokenState::spend(const Join& j, int64_t nowS) {
    ++checks_;
    PgResult r = run([&](PgConn& c) {
        return c.execParams(
            "SELECT public.room_join_check($1, $2, $3, $4, $5, $6, $7, $8)",
            {j.iss, j.jti, text(j.forgetAt), j.subject, j.room, j.pseudonym, text(nowS), options_.instanceId});
    });
    return verdictOf(r);
}

SharedTokenState::Verdict PgTokenState::peek(const Join& j, int64_t nowS) {
    ++checks_;
    PgResult r = run([&](PgConn& c) {
        return c.execParams("SELECT public.room_join_peek($1, $2, $3, $4, $5, $6)",
                            {j.iss, j.jti, j.subject, j.room, j.pseudonym, text(nowS)});
    });
    return verdictOf(r);
}

bool PgTokenState::dobFailure(const Join& j, const Limits& l, int64_t nowS) {
    PgResult r = run([&](PgConn& c) {
        return c.execParams("SELECT public.room_dob_failure($1, $2, $3, $4, $5, $6, $7, $8)",
                            {j.iss, j.jti, j.room, j.pseudonym, std::to_string(l.maxFailures), text(l.windowS),
                             text(l.lockS), text(nowS)});
    });
    return r.rows() == 1 && r.value(0, 0) == "t";
}

void PgTokenState::revoke(const Revocation& rv) {
    run([&](PgConn& c) {
        // Durable before the operator is told "revoked".
        return c.transaction([&](PgConn& t) {
            t.exec("SET LOCAL synchronous_commit = on");
            return t.execParams("SELECT public.room_revoke($1, $2, $3, $4, $5, $6)",
                                {rv.kind, rv.target, text(rv.until), rv.by, rv.reason, options_.instanceId});
        });
    });
    ++revocations_;
}

bool PgTokenState::ping() noexcept {
    try {
        run([](PgConn& c) { return c.exec("SELECT 1"); });
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

JsonPtr PgTokenState::describe() const {
    std::string lastError;
    {
        std::lock_guard lock(m_);
        lastError = lastError_;
    }
    return JsonBuilder()
        .set("mode", "shared")
        .set("connected", connected_.load())
        .set("last_error", lastError)
        .set("join_checks", checks_.load())
        .set("unavailable", unavailable_.load())
        .set("revocations_written", revocations_.load())
        .set("connects", reconnects_.load())
        .build();
}

}  // namespace hipaa::room
