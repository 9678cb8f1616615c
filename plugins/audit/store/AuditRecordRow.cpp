// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditRecordRow.hpp"

#include <string>

namespace hipaa::audit {
namespace {

void decode(const PgResult& r, int row, int col, std::string& v) { v = std::string(r.value(row, col)); }
void decode(const PgResult& r, int row, int col, int64_t& v) { v = std::stoll(std::string(r.value(row, col))); }
void decode(const PgResult& r, int row, int col, std::optional<std::string>& v) {
    if (r.isNull(row, col))
        v.reset();
    else
        decode(r, row, col, v.emplace());
}
void decode(const PgResult& r, int row, int col, std::optional<int64_t>& v) {
    if (r.isNull(row, col))
        v.reset();
    else
        decode(r, row, col, v.emplace());
}

}  // namespace

const std::string& AuditRecordRow::select() {
    static const std::string sql = [] {
        std::string out = "SELECT ";
        AuditRecord r;
        AuditRecordFields::forEach(r, [&](const AuditRecordFields::Field& f, const auto&) {
            if (f.type == AuditRecordFields::Type::Timestamp)
                out += std::string("(extract(epoch from ") + f.column + ") * 1000000)::bigint, ";
            else
                out += std::string(f.column) + ", ";
        });
        return out + "event::text, encode(prev_hash, 'hex'), encode(hash, 'hex') FROM audit_record ";
    }();
    return sql;
}

AuditRecord AuditRecordRow::decodeColumns(const PgResult& r, int row) {
    AuditRecord rec;
    int col = 0;
    AuditRecordFields::forEach(rec,
                               [&](const AuditRecordFields::Field&, auto& value) { decode(r, row, col++, value); });
    return rec;
}

}  // namespace hipaa::audit
