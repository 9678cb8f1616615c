#include "hipaa/PgConn.hpp"

#include "hipaa/Errors.hpp"

#include <cstdlib>

namespace hipaa {

long long PgResult::affected() const {
    const char* s = PQcmdTuples(res_.get());
    return (s && *s) ? std::atoll(s) : 0;
}

PgConn PgConn::connect(const Options& o) {
    const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
    std::string timeout = std::to_string(o.connectTimeoutSeconds);
    const char* values[] = {o.conninfo.c_str(), timeout.c_str(), o.applicationName.c_str(), nullptr};
    // expand_dbname=1: `dbname` may carry a full conninfo string or URI.
    std::unique_ptr<PGconn, PgConnDeleter> c(PQconnectdbParams(keys, values, 1));
    if (!c) throw DbError("out of memory connecting to PostgreSQL", "");
    if (PQstatus(c.get()) != CONNECTION_OK) {
        // PQerrorMessage can contain the host and user, never the password; keep the first line.
        std::string msg = PQerrorMessage(c.get());
        if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
        throw DbError("cannot connect to PostgreSQL: " + msg, "08001");
    }
    PgConn conn(std::move(c));
    conn.exec("SET statement_timeout = " + std::to_string(o.statementTimeoutMs));
    return conn;
}

PgResult PgConn::check(PGresult* raw) {
    PgResult r(raw);
    ExecStatusType st = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN || st == PGRES_COPY_OUT) return r;
    const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = raw ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string msg = primary ? primary : PQerrorMessage(conn_.get());
    throw DbError("PostgreSQL: " + msg, state ? state : (ok() ? "" : "08006"));
}

PgResult PgConn::exec(const std::string& sql) { return check(PQexec(conn_.get(), sql.c_str())); }

PgResult PgConn::execParams(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    return check(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                              nullptr, nullptr, 0));
}

}  // namespace hipaa
