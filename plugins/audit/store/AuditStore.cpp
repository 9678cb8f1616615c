// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditStore.hpp"

#include "AuditRecordCodec.hpp"
#include "AuditRecordFields.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <climits>
#include <cstdint>
#include <string_view>

namespace hipaa::audit {
namespace {

// COPY binary format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"):
// integers, timestamps and hashes go as fixed-size big-endian/raw fields, text and the event's JSON
// as length + bytes. The server skips the text format's line and escape scanning and its integer,
// timestamp and hex parsing; text and jsonb are still validated (encoding, JSON) as in text mode.
void be(std::string& out, uint64_t v, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}
void len(std::string& out, size_t n) {
    if (n > static_cast<size_t>(INT32_MAX)) throw DbError("audit COPY: field too large", "54000");
    be(out, n, 4);
}
void nul(std::string& out) { be(out, 0xFFFFFFFFu, 4); }
void text(std::string& out, std::string_view s) {
    len(out, s.size());
    out.append(s);
}
void text(std::string& out, const std::optional<std::string>& v) {
    if (v)
        text(out, std::string_view(*v));
    else
        nul(out);
}
void int8(std::string& out, int64_t v) {
    len(out, 8);
    be(out, static_cast<uint64_t>(v), 8);
}
// An `integer` column: out of range is refused, as PostgreSQL refuses it in text form (22003).
void int4(std::string& out, int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) throw DbError("audit COPY: value out of range for type integer", "22003");
    len(out, 4);
    be(out, static_cast<uint64_t>(static_cast<uint32_t>(static_cast<int32_t>(v))), 4);
}
// timestamptz: microseconds since 2000-01-01 00:00:00 UTC.
void timestamptz(std::string& out, int64_t unixUs) { int8(out, unixUs - 946684800LL * 1000000); }
void jsonb(std::string& out, std::string_view json) {
    len(out, json.size() + 1);
    out += '\x01';  // jsonb binary format version 1: the JSON text follows
    out.append(json);
}
void bytea(std::string& out, ByteView b) {
    len(out, b.size());
    out.append(reinterpret_cast<const char*>(b.data()), b.size());
}
// One column of AuditRecordFields, as its SQL type.
using ColumnType = AuditRecordFields::Type;
void column(std::string& out, ColumnType, const std::string& v) { text(out, std::string_view(v)); }
void column(std::string& out, ColumnType, const std::optional<std::string>& v) { text(out, v); }
void column(std::string& out, ColumnType type, int64_t v) {
    switch (type) {
        case ColumnType::Integer:
            return int4(out, v);
        case ColumnType::Timestamp:
            return timestamptz(out, v);
        default:
            return int8(out, v);
    }
}
void column(std::string& out, ColumnType type, const std::optional<int64_t>& v) {
    if (v)
        column(out, type, *v);
    else
        nul(out);
}

// Sends the COPY data in messages of about this size, while the rest is still being built: the
// server parses as we encode, and neither side handles one multi-megabyte message.
constexpr size_t kCopyChunk = size_t{64} * 1024;

void putCopy(PGconn* c, std::string& buf) {
    if (buf.empty()) return;
    if (PQputCopyData(c, buf.data(), static_cast<int>(buf.size())) != 1) throw DbError("audit COPY failed", "08006");
    buf.clear();
}

}  // namespace

std::optional<std::pair<int64_t, Digest256>> AuditStore::head(const std::string& instanceId) {
    PgResult r = conn_.execParams(
        "SELECT seq, encode(hash, 'hex') FROM audit_record WHERE instance_id = $1 ORDER BY seq DESC LIMIT 1",
        {instanceId});
    if (r.rows() == 0) return std::nullopt;
    auto h = hexDecode(r.value(0, 1));
    if (!h || h->size() != 32) throw DbError("audit head: malformed hash", "");
    Digest256 d;
    std::copy(h->begin(), h->end(), d.begin());
    return std::make_pair(std::stoll(std::string(r.value(0, 0))), d);
}

void AuditStore::ensurePartitions(int64_t us) {
    std::string t = AuditRecordCodec::isoTime(us);
    conn_.execParams(
        "SELECT audit_ensure_partition($1::timestamptz), audit_ensure_partition($1::timestamptz + interval '1 month')",
        {t});
}

long long AuditStore::write(const std::vector<AuditRecord>& records, const std::vector<AuditCheckpoint>& checkpoints,
                            bool idempotent) {
    return conn_.transaction([&](PgConn&) { return load(records, checkpoints, idempotent); });
}

void AuditStore::begin() { conn_.exec("BEGIN"); }

void AuditStore::commit() { conn_.exec("COMMIT"); }

void AuditStore::rollback() noexcept { conn_.rollback(); }

long long AuditStore::load(const std::vector<AuditRecord>& records, const std::vector<AuditCheckpoint>& checkpoints,
                           bool idempotent) {
    long long inserted = 0;
    if (!records.empty()) {
        if (idempotent && !staged_) {
            conn_.exec(
                "CREATE TEMP TABLE IF NOT EXISTS audit_stage (LIKE audit_record INCLUDING DEFAULTS) ON COMMIT DELETE "
                "ROWS");
            staged_ = true;
        }
        const std::string& columns = AuditRecordFields::columnList();
        conn_.exec(std::string("COPY ") + (idempotent ? "audit_stage" : "audit_record") + " (" + columns +
                   ") FROM STDIN (FORMAT binary)");
        PGconn* c = conn_.raw();
        std::string& buf = copyBuf_;  // reused: its capacity stays from batch to batch
        buf.clear();
        buf.reserve(kCopyChunk + 8192);
        buf.append("PGCOPY\n\xff\r\n\0", 11);
        be(buf, 0, 4);  // flags
        be(buf, 0, 4);  // header extension length
        for (const auto& r : records) {
            be(buf, AuditRecordFields::kCount + 3, 2);  // fields
            AuditRecordFields::forEach(
                r, [&](const AuditRecordFields::Field& f, const auto& value) { column(buf, f.type, value); });
            jsonb(buf, r.event);
            bytea(buf, r.prevHash);
            bytea(buf, r.hash);
            if (buf.size() >= kCopyChunk) putCopy(c, buf);
        }
        be(buf, 0xFFFF, 2);  // trailer
        putCopy(c, buf);
        if (PQputCopyEnd(c, nullptr) != 1) throw DbError("audit COPY failed", "08006");
        bool failed = false;
        std::string state;
        while (PGresult* res = PQgetResult(c)) {
            if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                failed = true;
                const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
                state = s ? s : "";
            }
            PQclear(res);
        }
        if (failed) throw DbError("audit COPY rejected", state);
        if (!idempotent)
            inserted = static_cast<long long>(records.size());
        else
            inserted = conn_
                           .exec("INSERT INTO audit_record (" + columns + ") SELECT " + columns +
                                 " FROM audit_stage ORDER BY seq ON CONFLICT DO NOTHING")
                           .affected();
    }
    for (const auto& cp : checkpoints) {
        conn_.execParams(
            "INSERT INTO audit_checkpoint (instance_id, seq, head_hash, signed_at, key_id, signature) "
            "VALUES ($1, $2, $3, $4::timestamptz, $5, $6) ON CONFLICT DO NOTHING",
            {cp.instanceId, std::to_string(cp.seq), PgParam::bytea(cp.headHash),
             AuditRecordCodec::isoTime(cp.signedAtUs), cp.keyId, PgParam::bytea(cp.signature)});
    }
    return inserted;
}

}  // namespace hipaa::audit
