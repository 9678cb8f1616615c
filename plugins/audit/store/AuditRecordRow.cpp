#include "AuditRecordRow.hpp"

#include <string>

namespace hipaa::audit {
namespace {

std::optional<std::string> text(const PgResult& r, int row, int col) {
    if (r.isNull(row, col)) return std::nullopt;
    return std::string(r.value(row, col));
}

std::optional<int64_t> integer(const PgResult& r, int row, int col) {
    if (r.isNull(row, col)) return std::nullopt;
    return std::stoll(std::string(r.value(row, col)));
}

}  // namespace

const char* const AuditRecordRow::kSelect =
    "SELECT instance_id, seq, (extract(epoch from event_time) * 1000000)::bigint, janus_type, subtype, emitter, plugin, "
    "session_id, handle_id, room, actor, action, outcome, event::text, encode(prev_hash, 'hex'), encode(hash, 'hex') "
    "FROM audit_record ";

AuditRecord AuditRecordRow::decodeColumns(const PgResult& r, int row) {
    AuditRecord rec;
    rec.instanceId = std::string(r.value(row, 0));
    rec.seq = std::stoll(std::string(r.value(row, 1)));
    rec.eventTimeUs = std::stoll(std::string(r.value(row, 2)));
    rec.janusType = std::stoll(std::string(r.value(row, 3)));
    rec.subtype = integer(r, row, 4);
    rec.emitter = text(r, row, 5);
    rec.plugin = text(r, row, 6);
    rec.sessionId = integer(r, row, 7);
    rec.handleId = integer(r, row, 8);
    rec.room = text(r, row, 9);
    rec.actor = text(r, row, 10);
    rec.action = std::string(r.value(row, 11));
    rec.outcome = std::string(r.value(row, 12));
    return rec;
}

}  // namespace hipaa::audit
