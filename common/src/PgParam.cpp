// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/PgParam.hpp"

#include <climits>
#include <cstdint>

#include "hipaa/Errors.hpp"

namespace hipaa {
namespace {

// pg_type.oid of the types sent in binary (src/include/catalog/pg_type.dat: stable across versions).
constexpr Oid kTextOid = 25;
constexpr Oid kByteaOid = 17;
constexpr Oid kTextArrayOid = 1009;

void checkSize(size_t n) {
    if (n > static_cast<size_t>(INT32_MAX)) throw DbError("PostgreSQL parameter too large", "54000");
}
void int32be(std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

}  // namespace

PgParam PgParam::bytea(ByteView bytes) {
    checkSize(bytes.size());
    return PgParam(std::string(asChars(bytes)), kByteaOid);
}

// array_send's layout: ndim, has-NULLs flag, element type, (size, lower bound) per dimension, then
// each element as a 4-byte length and its text.
PgParam PgParam::textArray(const std::vector<std::string>& items) {
    std::string out;
    int32be(out, items.empty() ? 0 : 1);
    int32be(out, 0);
    int32be(out, kTextOid);
    if (!items.empty()) {
        checkSize(items.size());
        int32be(out, static_cast<uint32_t>(items.size()));
        int32be(out, 1);
    }
    for (const auto& item : items) {
        checkSize(item.size());
        int32be(out, static_cast<uint32_t>(item.size()));
        out += item;
    }
    checkSize(out.size());
    return PgParam(std::move(out), kTextArrayOid);
}

}  // namespace hipaa
