// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditQuery.hpp"

#include "AuditErrors.hpp"
#include "AuditRecordCodec.hpp"
#include "AuditRecordRow.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

namespace hipaa::audit {
namespace {

// A filter: another JSON type is 303 (as for every request field), a bad value 401 (bad_filter).
std::optional<std::string> optField(const json_t* req, const char* key, size_t maxLen = 256) {
    auto v = jsonOptionalString(req, key);
    if (!v) return std::nullopt;
    if (v->empty() || v->size() > maxLen || v->find('\0') != std::string_view::npos)
        throw RequestError(errc::kBadFilter, std::string(key) + ": must be a non-empty string of at most " +
                                                 std::to_string(maxLen) + " bytes");
    return std::string(*v);
}

void copyDigest(std::string_view hex, Digest256& out) {
    auto b = hexDecode(hex);
    if (b && b->size() == 32) std::copy(b->begin(), b->end(), out.begin());
}

}  // namespace

std::string AuditQuery::Cursor::text() const {
    return "c1:" + std::to_string(eventTimeUs) + ":" + std::to_string(seq) + ":" + instanceId;
}

AuditQuery::Cursor AuditQuery::Cursor::after(const AuditRecord& last) {
    return {last.eventTimeUs, last.seq, last.instanceId};
}

std::optional<AuditQuery::Cursor> AuditQuery::Cursor::parse(std::string_view text) {
    // Strict: a version tag, two integers, a non-empty instance id (which may itself hold ':').
    if (!text.starts_with("c1:")) return std::nullopt;
    text.remove_prefix(3);
    Cursor c;
    for (int64_t* v : {&c.eventTimeUs, &c.seq}) {
        size_t colon = text.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon > 19) return std::nullopt;
        std::string digits(text.substr(0, colon));
        if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        try {
            *v = std::stoll(digits);
        } catch (const std::exception&) {
            return std::nullopt;
        }
        text.remove_prefix(colon + 1);
    }
    if (text.empty() || text.size() > 64) return std::nullopt;
    c.instanceId = std::string(text);
    return c;
}

AuditQuery::Filter AuditQuery::parse(const json_t* req) {
    Filter f;
    f.instanceId = optField(req, "instance_id");
    f.room = optField(req, "room");
    f.actor = optField(req, "actor");
    f.action = optField(req, "action");
    f.fromTime = optField(req, "from_time", 64);
    f.toTime = optField(req, "to_time", 64);
    if (auto a = jsonOptionalInt(req, "after_seq")) {
        if (*a < 0) throw RequestError(errc::kBadFilter, "after_seq: must be an integer >= 0");
        if (!f.instanceId)
            throw RequestError(errc::kBadFilter, "after_seq: only with instance_id (across instances: cursor)");
        f.afterSeq = *a;
    }
    if (auto c = optField(req, "cursor", 128)) {
        if (f.instanceId)
            throw RequestError(errc::kBadFilter, "cursor: only without instance_id (within one instance: after_seq)");
        f.cursor = Cursor::parse(*c);
        if (!f.cursor) throw RequestError(errc::kBadFilter, "cursor: not a next_cursor of an earlier answer");
    }
    if (auto l = jsonOptionalInt(req, "limit")) {
        if (*l < 1 || *l > 1000) throw RequestError(errc::kBadFilter, "limit: must be an integer from 1 to 1000");
        f.limit = static_cast<int>(*l);
    }
    return f;
}

JsonPtr AuditQuery::describe(const Filter& f) {
    return JsonBuilder()
        .setOptional("instance_id", f.instanceId)
        .setOptional("room", f.room)
        .setOptional("actor", f.actor)
        .setOptional("action", f.action)
        .setOptional("from_time", f.fromTime)
        .setOptional("to_time", f.toTime)
        .setIf(f.instanceId.has_value(), "after_seq", f.afterSeq)
        .setIf(f.cursor.has_value(), "cursor", f.cursor ? f.cursor->text() : std::string())
        .set("limit", f.limit)
        .build();
}

std::vector<Disclosure> AuditQuery::disclosures(PgConn& conn, const std::vector<std::string>& recordings,
                                                size_t limit) {
    JsonPtr ids = jsonArray();
    for (const auto& r : recordings) json_array_append_new(ids.get(), json_string(r.c_str()));
    // janus_type 0: the handler's own and other plugins' records (no Janus event names a recording).
    // An object names one recording ("recording") or several ("recordings", e.g. a patient copy).
    PgResult r = conn.execParams(
        "WITH ids AS (SELECT array_agg(x) AS a FROM jsonb_array_elements_text($1::jsonb) AS x) "
        "SELECT coalesce(event->'object'->>'recording', (event->'object'->'recordings')::text), coalesce(actor, ''), "
        "coalesce(event->>'role', ''), action, outcome, (extract(epoch FROM event_time) * 1000)::bigint "
        "FROM audit_record, ids WHERE janus_type = 0 AND (event->'object'->>'recording' = ANY (ids.a) "
        "OR (jsonb_typeof(event->'object'->'recordings') = 'array' AND (event->'object'->'recordings') ?| ids.a)) "
        "ORDER BY event_time, instance_id, seq LIMIT $2",
        {jsonDump(ids.get()), std::to_string(limit)});
    std::vector<Disclosure> out;
    for (int i = 0; i < r.rows(); ++i) {
        Disclosure d;
        d.recording = r.value(i, 0);
        d.actor = r.value(i, 1);
        d.role = r.value(i, 2);
        d.action = r.value(i, 3);
        d.outcome = r.value(i, 4);
        d.timeMs = std::stoll(std::string(r.value(i, 5)));
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<AuditRecord> AuditQuery::run(PgConn& conn, const Filter& f) {
    std::string sql = AuditRecordRow::select() + "WHERE true";
    std::vector<PgParam> params;
    auto param = [&](std::string v) {
        params.push_back(std::move(v));
        return "$" + std::to_string(params.size());
    };
    if (f.instanceId) {
        sql += " AND instance_id = " + param(*f.instanceId);
        sql += " AND seq > " + param(std::to_string(f.afterSeq));
    } else if (f.cursor) {
        // Keyset across instances; the time is rebuilt exactly (whole seconds + microseconds).
        std::string us = param(std::to_string(f.cursor->eventTimeUs));
        sql += " AND (event_time, instance_id, seq) > (timestamptz 'epoch' + (" + us +
               "::bigint / 1000000) * interval "
               "'1 second' + (" +
               us + "::bigint % 1000000) * interval '1 microsecond', " + param(f.cursor->instanceId) + ", " +
               param(std::to_string(f.cursor->seq)) + "::bigint)";
    }
    auto add = [&](const std::optional<std::string>& v, const char* cond) {
        if (!v) return;
        params.push_back(*v);
        sql += std::string(" AND ") + cond + " $" + std::to_string(params.size());
    };
    add(f.room, "room =");
    add(f.actor, "actor =");
    add(f.action, "action =");
    add(f.fromTime, "event_time >=");
    if (f.fromTime) sql += "::timestamptz";
    add(f.toTime, "event_time <");
    if (f.toTime) sql += "::timestamptz";
    sql += (f.instanceId ? " ORDER BY seq" : " ORDER BY event_time, instance_id, seq") + std::string(" LIMIT ") +
           std::to_string(f.limit);
    PgResult r = [&] {
        try {
            return conn.execParams(sql, params);
        } catch (const DbError& e) {
            if (e.sqlstate().starts_with("22"))
                throw RequestError(errc::kBadFilter, "from_time/to_time: not a valid timestamp");
            throw;
        }
    }();
    std::vector<AuditRecord> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        AuditRecord rec = AuditRecordRow::decodeColumns(r, i);
        jsonDumpCanonical(jsonParse(r.value(i, AuditRecordRow::kEventColumn)).get(), rec.event);
        copyDigest(r.value(i, AuditRecordRow::kPrevHashColumn), rec.prevHash);
        copyDigest(r.value(i, AuditRecordRow::kHashColumn), rec.hash);
        out.push_back(std::move(rec));
    }
    return out;
}

JsonPtr AuditQuery::fhirAuditEvent(const AuditRecord& r) {
    // BALP: type from DICOM (110100 Application Activity, 110110 Patient Record for our own reads of
    // the trail), action E (execute) for gateway activity, R for queries/exports, outcome 0/4.
    bool own = r.janusType == 0;
    auto coding = [](const char* system, const std::string& code, const std::string& display) {
        return JsonBuilder()
            .set("system", system)
            .set("code", code)
            .setIf(!display.empty(), "display", display)
            .build();
    };
    auto codings = [](JsonPtr c) { return JsonArrayBuilder().push(std::move(c)).build(); };
    const char* kDcm = "http://dicom.nema.org/resources/ontology/DCM";
    JsonBuilder entity;
    entity.set("what", JsonBuilder()
                           .set("identifier",
                                JsonBuilder()
                                    .set("system", "urn:janus-hipaa:audit-record")
                                    .set("value", r.instanceId + ":" + std::to_string(r.seq) + ":" + hexEncode(r.hash))
                                    .build())
                           .build());
    if (r.room)
        entity.set(
            "detail",
            JsonArrayBuilder().push(JsonBuilder().set("type", "room").set("valueString", *r.room).build()).build());
    JsonPtr agent =
        JsonBuilder()
            .set("type",
                 JsonBuilder()
                     .set("coding", codings(coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                                   own ? "IRCP" : "AUT", own ? "information recipient" : "author")))
                     .build())
            .set("who", JsonBuilder()
                            .set("identifier", JsonBuilder()
                                                   .set("system", "urn:janus-hipaa:pseudonym")
                                                   .set("value", r.actor.value_or(r.plugin.value_or("janus")))
                                                   .build())
                            .build())
            .set("requestor", own)
            .build();
    JsonPtr source = JsonBuilder()
                         .set("site", r.emitter.value_or(r.instanceId))
                         .set("observer", JsonBuilder().set("display", "janus:" + r.instanceId).build())
                         .set("type", codings(coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4",
                                                     "Application Server")))
                         .build();
    return JsonBuilder()
        .set("resourceType", "AuditEvent")
        .set("id", r.instanceId + "-" + std::to_string(r.seq))
        .set("meta",
             JsonBuilder()
                 .set("profile", JsonArrayBuilder()
                                     .push("https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit")
                                     .build())
                 .build())
        .set("type", own ? coding(kDcm, "110110", "Patient Record") : coding(kDcm, "110100", "Application Activity"))
        .set("subtype", codings(coding("urn:janus-hipaa:audit-action", r.action, "")))
        .set("action", own ? "R" : "E")
        .set("recorded", AuditRecordCodec::isoTime(r.eventTimeUs))
        .set("outcome", r.outcome == "success" ? "0" : "4")
        .set("agent", JsonArrayBuilder().push(std::move(agent)).build())
        .set("source", std::move(source))
        .set("entity", JsonArrayBuilder().push(std::move(entity).build()).build())
        .build();
}

}  // namespace hipaa::audit
