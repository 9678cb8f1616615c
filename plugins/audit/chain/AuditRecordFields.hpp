// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The 13 scalar columns of an audit record, in table order (sql/100_audit_trail.sql), with their JSON
// key and SQL type: the one list that the canonical form (the hash), the COPY rows, the JSON codec
// (spool, export) and the row decoder walk. Each of those writes the event and the two hashes, which
// follow these columns, itself.
#include <string>

#include "AuditRecord.hpp"

namespace hipaa::audit {

class AuditRecordFields {
public:
    enum class Type { Text, BigInt, Integer, Timestamp };  // text, bigint, integer, timestamptz (us)
    struct Field {
        const char* column;
        const char* jsonKey;
        Type type;
    };
    static constexpr int kCount = 13;

    // f(field, member) for each column in table order; `Record` is AuditRecord or const AuditRecord.
    // A member is a std::string or int64_t (NOT NULL columns), or a std::optional of one.
    template <class Record, class F>
    static void forEach(Record& r, F&& f) {
        f(Field{"instance_id", "instance_id", Type::Text}, r.instanceId);
        f(Field{"seq", "seq", Type::BigInt}, r.seq);
        f(Field{"event_time", "time_us", Type::Timestamp}, r.eventTimeUs);
        f(Field{"janus_type", "janus_type", Type::Integer}, r.janusType);
        f(Field{"subtype", "subtype", Type::Integer}, r.subtype);
        f(Field{"emitter", "emitter", Type::Text}, r.emitter);
        f(Field{"plugin", "plugin", Type::Text}, r.plugin);
        f(Field{"session_id", "session_id", Type::BigInt}, r.sessionId);
        f(Field{"handle_id", "handle_id", Type::BigInt}, r.handleId);
        f(Field{"room", "room", Type::Text}, r.room);
        f(Field{"actor", "actor", Type::Text}, r.actor);
        f(Field{"action", "action", Type::Text}, r.action);
        f(Field{"outcome", "outcome", Type::Text}, r.outcome);
    }

    // "instance_id, seq, ..., outcome, event, prev_hash, hash": every stored column, for COPY and INSERT.
    static const std::string& columnList();
};

}  // namespace hipaa::audit
