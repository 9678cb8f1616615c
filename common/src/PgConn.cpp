// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/PgConn.hpp"

#include "hipaa/Errors.hpp"

#include <cstdlib>
#include <memory>

namespace hipaa {

Bytes PgResult::bytea(int row, int col) const {
    size_t n = 0;
    std::unique_ptr<unsigned char, decltype(&PQfreemem)> b(
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(res_.get(), row, col)), &n), &PQfreemem);
    if (!b) throw DbError("not a bytea value", "XX000");
    return Bytes(b.get(), b.get() + n);
}

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

PgResult PgConn::execParams(const std::string& sql, const std::vector<PgParam>& params) {
    std::vector<Oid> types;
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    for (const auto& p : params) {
        types.push_back(p.type());
        values.push_back(p.value());
        lengths.push_back(p.length());
        formats.push_back(p.format());
    }
    return check(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), types.data(), values.data(),
                              lengths.data(), formats.data(), 0));
}

void PgConn::rollback() noexcept {
    if (!ok()) return;
    PQclear(PQexec(conn_.get(), "ROLLBACK"));
    if (PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) conn_.reset();
}

}  // namespace hipaa
