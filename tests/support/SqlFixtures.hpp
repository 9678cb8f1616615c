// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Asking PostgreSQL in tests: one value, or whether a statement is refused.
#include <string>

#include "hipaa/Errors.hpp"
#include "hipaa/PgConn.hpp"

namespace hipaa::test {

// The first column of the first row, as text.
inline std::string scalar(PgConn& c, const std::string& sql) { return std::string(c.exec(sql).value(0, 0)); }

// Runs `sql` and rolls it back (in a transaction, or a savepoint inside the caller's); the SQLSTATE it
// failed with, or "accepted".
inline std::string refused(PgConn& conn, const std::string& sql) {
    bool own = PQtransactionStatus(conn.raw()) == PQTRANS_IDLE;
    conn.exec(own ? "BEGIN" : "SAVEPOINT attempt");
    std::string state = "accepted";
    try {
        conn.exec(sql);
    } catch (const DbError& e) {
        state = e.sqlstate();
    }
    conn.exec(own ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT attempt");
    return state;
}

}  // namespace hipaa::test
