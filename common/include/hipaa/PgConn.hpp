// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// libpq connection with hard timeouts. Every failure throws DbError with the SQLSTATE; messages are
// PostgreSQL's (which can quote values: callers must not log them for PHI-bearing statements).
#include "hipaa/PgParam.hpp"
#include "hipaa/PgResult.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace hipaa {

struct PgConnDeleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};

class PgConn {
public:
    struct Options {
        std::string conninfo;            // libpq keyword/value string or URI
        int connectTimeoutSeconds = 5;   // libpq connect_timeout
        int statementTimeoutMs = 10000;  // SET statement_timeout
        std::string applicationName = "janus-hipaa";
    };

    static PgConn connect(const Options& options);

    PgResult exec(const std::string& sql);
    PgResult execParams(const std::string& sql, const std::vector<PgParam>& params);
    // BEGIN, fn(*this), COMMIT; fn's result. On any exception: rollback() and rethrow.
    template <typename F>
    std::invoke_result_t<F&, PgConn&> transaction(F&& fn);
    // Best effort; a connection the ROLLBACK did not bring back out of its transaction is closed
    // (ok() turns false, its owner reconnects) rather than reused inside a failed transaction.
    void rollback() noexcept;
    bool ok() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }
    PGconn* raw() const { return conn_.get(); }

private:
    explicit PgConn(std::unique_ptr<PGconn, PgConnDeleter> c) : conn_(std::move(c)) {}
    PgResult check(PGresult* r);

    std::unique_ptr<PGconn, PgConnDeleter> conn_;
};

template <typename F>
std::invoke_result_t<F&, PgConn&> PgConn::transaction(F&& fn) {
    exec("BEGIN");
    try {
        if constexpr (std::is_void_v<std::invoke_result_t<F&, PgConn&>>) {
            fn(*this);
            exec("COMMIT");
        } else {
            auto result = fn(*this);
            exec("COMMIT");
            return result;
        }
    } catch (...) {
        rollback();
        throw;
    }
}

}  // namespace hipaa
