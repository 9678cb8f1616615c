#include "AuditStore.hpp"

#include "AuditRecordCodec.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <charconv>
#include <climits>

namespace hipaa::audit {
namespace {

// COPY text format. Appends in place (no temporaries): this runs once per column per row.
void copyText(std::string& out, std::string_view s) {
    size_t plain = 0;
    while (plain < s.size() && s[plain] != '\\' && s[plain] != '\n' && s[plain] != '\r' && s[plain] != '\t') ++plain;
    out.append(s.data(), plain);  // the usual case: nothing to escape
    for (size_t i = plain; i < s.size(); ++i) {
        char c = s[i];
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out += c;
        }
    }
}
void integer(std::string& out, int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<size_t>(r.ptr - buf));
}
void field(std::string& out, const std::optional<std::string>& v) {
    if (v) copyText(out, *v);
    else out += "\\N";
    out += '\t';
}
void field(std::string& out, const std::optional<int64_t>& v) {
    if (v) integer(out, *v);
    else out += "\\N";
    out += '\t';
}
void bytea(std::string& out, ByteView b) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\\\x";
    size_t at = out.size();
    out.resize(at + 2 * b.size());
    for (uint8_t x : b) {
        out[at++] = kHex[x >> 4];
        out[at++] = kHex[x & 15];
    }
}

// AuditRecordCodec::isoTime, with the formatted second cached (events of one batch share it).
class TimeText {
public:
    void append(std::string& out, int64_t us) {
        int64_t secs = us / 1000000, frac = us % 1000000;
        if (frac < 0) {
            frac += 1000000;
            --secs;
        }
        if (secs != secs_) {
            std::string iso = AuditRecordCodec::isoTime(secs * 1000000);  // "YYYY-MM-DDTHH:MM:SS.000000Z"
            prefix_ = iso.substr(0, iso.find('.'));
            secs_ = secs;
        }
        out += prefix_;
        char buf[8] = {'.'};
        for (int i = 6; i >= 1; --i, frac /= 10) buf[i] = static_cast<char>('0' + frac % 10);
        buf[7] = 'Z';
        out.append(buf, 8);
    }

private:
    int64_t secs_ = INT64_MIN;
    std::string prefix_;
};

// Sends the COPY data in messages of about this size, while the rest is still being built: the
// server parses as we encode, and neither side handles one multi-megabyte message.
constexpr size_t kCopyChunk = 64 * 1024;

void putCopy(PGconn* c, std::string& buf) {
    if (buf.empty()) return;
    if (PQputCopyData(c, buf.data(), static_cast<int>(buf.size())) != 1) throw DbError("audit COPY failed", "08006");
    buf.clear();
}

}  // namespace

std::optional<std::pair<int64_t, Digest256>> AuditStore::head(const std::string& instanceId) {
    PgResult r = conn_.execParams(
        "SELECT seq, encode(hash, 'hex') FROM audit_record WHERE instance_id = $1 ORDER BY seq DESC LIMIT 1", {instanceId});
    if (r.rows() == 0) return std::nullopt;
    auto h = hexDecode(r.value(0, 1));
    if (!h || h->size() != 32) throw DbError("audit head: malformed hash", "");
    Digest256 d;
    std::copy(h->begin(), h->end(), d.begin());
    return std::make_pair(std::stoll(std::string(r.value(0, 0))), d);
}

void AuditStore::ensurePartitions(int64_t us) {
    std::string t = AuditRecordCodec::isoTime(us);
    conn_.execParams("SELECT audit_ensure_partition($1::timestamptz), audit_ensure_partition($1::timestamptz + interval '1 month')", {t});
}

long long AuditStore::write(const std::vector<AuditRecord>& records, const std::vector<AuditCheckpoint>& checkpoints,
                           bool idempotent) {
    conn_.exec("BEGIN");
    try {
        long long inserted = 0;
        if (!records.empty()) {
            if (idempotent && !staged_) {
                conn_.exec("CREATE TEMP TABLE IF NOT EXISTS audit_stage (LIKE audit_record INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
                staged_ = true;
            }
            conn_.exec(std::string("COPY ") + (idempotent ? "audit_stage" : "audit_record") + " (instance_id, seq, event_time, janus_type, subtype, emitter, plugin, session_id, "
                       "handle_id, room, actor, action, outcome, event, prev_hash, hash) FROM STDIN");
            PGconn* c = conn_.raw();
            std::string& buf = copyBuf_;  // reused: its capacity stays from batch to batch
            buf.clear();
            buf.reserve(kCopyChunk + 8192);
            TimeText time;
            for (const auto& r : records) {
                copyText(buf, r.instanceId);
                buf += '\t';
                integer(buf, r.seq);
                buf += '\t';
                time.append(buf, r.eventTimeUs);
                buf += '\t';
                integer(buf, r.janusType);
                buf += '\t';
                field(buf, r.subtype);
                field(buf, r.emitter);
                field(buf, r.plugin);
                field(buf, r.sessionId);
                field(buf, r.handleId);
                field(buf, r.room);
                field(buf, r.actor);
                copyText(buf, r.action);
                buf += '\t';
                copyText(buf, r.outcome);
                buf += '\t';
                copyText(buf, r.event);
                buf += '\t';
                bytea(buf, r.prevHash);
                buf += '\t';
                bytea(buf, r.hash);
                buf += '\n';
                if (buf.size() >= kCopyChunk) putCopy(c, buf);
            }
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
            if (!idempotent) inserted = static_cast<long long>(records.size());
            else inserted = conn_.exec("INSERT INTO audit_record (instance_id, seq, event_time, janus_type, subtype, emitter, plugin, "
                                  "session_id, handle_id, room, actor, action, outcome, event, prev_hash, hash) "
                                  "SELECT instance_id, seq, event_time, janus_type, subtype, emitter, plugin, session_id, "
                                  "handle_id, room, actor, action, outcome, event, prev_hash, hash FROM audit_stage "
                                  "ORDER BY seq ON CONFLICT DO NOTHING")
                           .affected();
        }
        for (const auto& cp : checkpoints) {
            conn_.execParams("INSERT INTO audit_checkpoint (instance_id, seq, head_hash, signed_at, key_id, signature) "
                             "VALUES ($1, $2, decode($3, 'hex'), $4::timestamptz, $5, decode($6, 'hex')) ON CONFLICT DO NOTHING",
                             {cp.instanceId, std::to_string(cp.seq), hexEncode(cp.headHash), AuditRecordCodec::isoTime(cp.signedAtUs),
                              cp.keyId, hexEncode(cp.signature)});
        }
        conn_.exec("COMMIT");
        return inserted;
    } catch (...) {
        if (conn_.ok()) {
            PGresult* res = PQexec(conn_.raw(), "ROLLBACK");
            PQclear(res);
        }
        throw;
    }
}

}  // namespace hipaa::audit
