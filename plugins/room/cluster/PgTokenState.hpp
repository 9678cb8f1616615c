// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SharedTokenState in the clinic's PostgreSQL (sql/200_room_cluster.sql), logged in as a member of
// janus_room_state. One connection, kept open and reused (the worker's joins and the Admin API's
// revocations take turns on it): a join costs one round trip to room_join_check, committed without
// waiting for the disk (synchronous_commit off; revocations wait for it). While the database
// cannot be reached every call throws Error (shared_state_unavailable) at once (fail closed) and the connection is
// retried with backoff. Messages and the last error are SQLSTATE codes or slugs, never PostgreSQL's text (which can
// quote values).
#include "SharedTokenState.hpp"
#include "StoreBackoff.hpp"

#include "hipaa/PgConn.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace hipaa::room {

class PgTokenState final : public SharedTokenState {
public:
    struct Options {
        std::string conninfo, instanceId;
        int connectTimeoutS = 2;  // libpq's minimum
        int statementTimeoutMs = 2000;
    };
    explicit PgTokenState(Options options);

    Verdict spend(const Join& join, int64_t nowS) override;
    Verdict peek(const Join& join, int64_t nowS) override;
    bool dobFailure(const Join& join, const Limits& limits, int64_t nowS) override;
    void revoke(const Revocation& revocation) override;
    JsonPtr describe() const override;
    bool connected() const { return connected_.load(); }
    // Connects now if it can (at start, so Admin info tells at once); false when it cannot.
    bool ping() noexcept;

private:
    // fn on the open connection (connecting first if due); a failure closes it and throws 468.
    PgResult run(const std::function<PgResult(PgConn&)>& fn);

    Options options_;
    mutable std::mutex m_;  // guards conn_, backoff_, lastError_
    std::optional<PgConn> conn_;
    StoreBackoff backoff_{std::chrono::milliseconds(250), std::chrono::seconds(5)};
    std::string lastError_;
    std::atomic<bool> connected_{false};
    std::atomic<uint64_t> checks_{0}, unavailable_{0}, revocations_{0}, reconnects_{0};
};

}  // namespace hipaa::room
