#pragma once
// libpq connection with hard timeouts. Every failure throws DbError with the SQLSTATE; messages are
// PostgreSQL's (which can quote values: callers must not log them for PHI-bearing statements).
#include "hipaa/PgResult.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hipaa {

struct PgConnDeleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};

class PgConn {
public:
    struct Options {
        std::string conninfo;                    // libpq keyword/value string or URI
        int connectTimeoutSeconds = 5;           // libpq connect_timeout
        int statementTimeoutMs = 10000;          // SET statement_timeout
        std::string applicationName = "janus-hipaa";
    };

    static PgConn connect(const Options& options);

    PgResult exec(const std::string& sql);
    // Text-format parameters; nullopt is SQL NULL.
    PgResult execParams(const std::string& sql, const std::vector<std::optional<std::string>>& params);
    bool ok() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }
    PGconn* raw() const { return conn_.get(); }

private:
    explicit PgConn(std::unique_ptr<PGconn, PgConnDeleter> c) : conn_(std::move(c)) {}
    PgResult check(PGresult* r);

    std::unique_ptr<PGconn, PgConnDeleter> conn_;
};

}  // namespace hipaa
