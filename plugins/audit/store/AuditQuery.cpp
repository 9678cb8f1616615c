#include "AuditQuery.hpp"

#include "AuditErrors.hpp"
#include "AuditRecordCodec.hpp"
#include "AuditRecordRow.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

namespace hipaa::audit {
namespace {

// A filter: another JSON type is 303 (as for every request field), a bad value 401 (bad_filter).
std::optional<std::string> optField(const json_t* req, const char* key, size_t maxLen = 256) {
    auto v = jsonOptionalString(req, key);
    if (!v) return std::nullopt;
    if (v->empty() || v->size() > maxLen || v->find('\0') != std::string_view::npos)
        throw RequestError(errc::kBadFilter, std::string(key) + ": must be a non-empty string of at most " + std::to_string(maxLen) + " bytes");
    return std::string(*v);
}

void digest(std::string_view hex, Digest256& out) {
    auto b = hexDecode(hex);
    if (b && b->size() == 32) std::copy(b->begin(), b->end(), out.begin());
}

}  // namespace

AuditQuery::Filter AuditQuery::parse(const json_t* req, const std::string& instanceId) {
    Filter f;
    f.instanceId = optField(req, "instance_id").value_or(instanceId);
    f.room = optField(req, "room");
    f.actor = optField(req, "actor");
    f.action = optField(req, "action");
    f.fromTime = optField(req, "from_time", 64);
    f.toTime = optField(req, "to_time", 64);
    if (auto a = jsonOptionalInt(req, "after_seq")) {
        if (*a < 0) throw RequestError(errc::kBadFilter, "after_seq: must be an integer >= 0");
        f.afterSeq = *a;
    }
    if (auto l = jsonOptionalInt(req, "limit")) {
        if (*l < 1 || *l > 1000) throw RequestError(errc::kBadFilter, "limit: must be an integer from 1 to 1000");
        f.limit = static_cast<int>(*l);
    }
    return f;
}

JsonPtr AuditQuery::describe(const Filter& f) {
    JsonPtr o = jsonObject();
    jsonSet(o.get(), "instance_id", std::string_view(f.instanceId));
    if (f.room) jsonSet(o.get(), "room", std::string_view(*f.room));
    if (f.actor) jsonSet(o.get(), "actor", std::string_view(*f.actor));
    if (f.action) jsonSet(o.get(), "action", std::string_view(*f.action));
    if (f.fromTime) jsonSet(o.get(), "from_time", std::string_view(*f.fromTime));
    if (f.toTime) jsonSet(o.get(), "to_time", std::string_view(*f.toTime));
    jsonSet(o.get(), "after_seq", f.afterSeq);
    jsonSet(o.get(), "limit", f.limit);
    return o;
}

std::vector<AuditRecord> AuditQuery::run(PgConn& conn, const Filter& f) {
    std::string sql = AuditRecordRow::select() + "WHERE instance_id = $1 AND seq > $2";
    std::vector<PgParam> params = {f.instanceId, std::to_string(f.afterSeq)};
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
    sql += " ORDER BY seq LIMIT " + std::to_string(f.limit);
    PgResult r = [&] {
        try {
            return conn.execParams(sql, params);
        } catch (const DbError& e) {
            if (e.sqlstate().starts_with("22")) throw RequestError(errc::kBadFilter, "from_time/to_time: not a valid timestamp");
            throw;
        }
    }();
    std::vector<AuditRecord> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        AuditRecord rec = AuditRecordRow::decodeColumns(r, i);
        jsonDumpCanonical(jsonParse(r.value(i, AuditRecordRow::kEventColumn)).get(), rec.event);
        digest(r.value(i, AuditRecordRow::kPrevHashColumn), rec.prevHash);
        digest(r.value(i, AuditRecordRow::kHashColumn), rec.hash);
        out.push_back(std::move(rec));
    }
    return out;
}

JsonPtr AuditQuery::fhirAuditEvent(const AuditRecord& r) {
    // BALP: type from DICOM (110100 Application Activity, 110110 Patient Record for our own reads of
    // the trail), action E (execute) for gateway activity, R for queries/exports, outcome 0/4.
    bool own = r.janusType == 0;
    auto coding = [](const char* system, const std::string& code, const std::string& display) {
        JsonPtr c = jsonObject();
        jsonSet(c.get(), "system", system);
        jsonSet(c.get(), "code", std::string_view(code));
        if (!display.empty()) jsonSet(c.get(), "display", std::string_view(display));
        return c;
    };
    JsonPtr ae = jsonObject();
    jsonSet(ae.get(), "resourceType", "AuditEvent");
    jsonSet(ae.get(), "id", std::string_view(r.instanceId + "-" + std::to_string(r.seq)));
    JsonPtr meta = jsonObject(), profiles = jsonArray();
    json_array_append_new(profiles.get(), json_string("https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit"));
    jsonSet(meta.get(), "profile", std::move(profiles));
    jsonSet(ae.get(), "meta", std::move(meta));
    jsonSet(ae.get(), "type", own ? coding("http://dicom.nema.org/resources/ontology/DCM", "110110", "Patient Record")
                                  : coding("http://dicom.nema.org/resources/ontology/DCM", "110100", "Application Activity"));
    JsonPtr sub = jsonArray();
    json_array_append_new(sub.get(), coding("urn:janus-hipaa:audit-action", r.action, "").release());
    jsonSet(ae.get(), "subtype", std::move(sub));
    jsonSet(ae.get(), "action", own ? "R" : "E");
    jsonSet(ae.get(), "recorded", std::string_view(AuditRecordCodec::isoTime(r.eventTimeUs)));
    jsonSet(ae.get(), "outcome", r.outcome == "success" ? "0" : "4");

    JsonPtr agents = jsonArray();
    JsonPtr agent = jsonObject();
    JsonPtr agentType = jsonObject(), agentCodings = jsonArray();
    json_array_append_new(agentCodings.get(),
                          coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", own ? "IRCP" : "AUT",
                                 own ? "information recipient" : "author").release());
    jsonSet(agentType.get(), "coding", std::move(agentCodings));
    jsonSet(agent.get(), "type", std::move(agentType));
    JsonPtr who = jsonObject(), ident = jsonObject();
    jsonSet(ident.get(), "system", "urn:janus-hipaa:pseudonym");
    jsonSet(ident.get(), "value", std::string_view(r.actor.value_or(r.plugin.value_or("janus"))));
    jsonSet(who.get(), "identifier", std::move(ident));
    jsonSet(agent.get(), "who", std::move(who));
    jsonSet(agent.get(), "requestor", own);
    json_array_append_new(agents.get(), agent.release());
    jsonSet(ae.get(), "agent", std::move(agents));

    JsonPtr source = jsonObject(), observer = jsonObject();
    jsonSet(observer.get(), "display", std::string_view("janus:" + r.instanceId));
    jsonSet(source.get(), "site", std::string_view(r.emitter.value_or(r.instanceId)));
    jsonSet(source.get(), "observer", std::move(observer));
    JsonPtr srcTypes = jsonArray();
    json_array_append_new(srcTypes.get(), coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4",
                                                 "Application Server").release());
    jsonSet(source.get(), "type", std::move(srcTypes));
    jsonSet(ae.get(), "source", std::move(source));

    JsonPtr entities = jsonArray();
    JsonPtr entity = jsonObject(), what = jsonObject(), wid = jsonObject();
    jsonSet(wid.get(), "system", "urn:janus-hipaa:audit-record");
    jsonSet(wid.get(), "value", std::string_view(r.instanceId + ":" + std::to_string(r.seq) + ":" + hexEncode(r.hash)));
    jsonSet(what.get(), "identifier", std::move(wid));
    jsonSet(entity.get(), "what", std::move(what));
    if (r.room) {
        JsonPtr details = jsonArray(), d = jsonObject();
        jsonSet(d.get(), "type", "room");
        jsonSet(d.get(), "valueString", std::string_view(*r.room));
        json_array_append_new(details.get(), d.release());
        jsonSet(entity.get(), "detail", std::move(details));
    }
    json_array_append_new(entities.get(), entity.release());
    jsonSet(ae.get(), "entity", std::move(entities));
    return ae;
}

}  // namespace hipaa::audit
