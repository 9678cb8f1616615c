// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "hipaa/Bytes.hpp"

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>

namespace hipaa {

struct PgResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};

class PgResult {
public:
    explicit PgResult(PGresult* r) : res_(r) {}
    int rows() const { return PQntuples(res_.get()); }
    int columns() const { return PQnfields(res_.get()); }
    bool isNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
    std::string_view value(int row, int col) const {
        return {PQgetvalue(res_.get(), row, col), static_cast<size_t>(PQgetlength(res_.get(), row, col))};
    }
    // A bytea column of a text-format result, decoded by libpq. Throws DbError when it is not one.
    Bytes bytea(int row, int col) const;
    long long affected() const;
    PGresult* raw() const { return res_.get(); }

private:
    std::unique_ptr<PGresult, PgResultDeleter> res_;
};

}  // namespace hipaa
