#include "AuditRecordCodec.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <ctime>

namespace hipaa::audit {
namespace {

void setOpt(json_t* o, const char* k, const std::optional<std::string>& v) {
    if (v) jsonSet(o, k, std::string_view(*v));
}
void setOpt(json_t* o, const char* k, const std::optional<int64_t>& v) {
    if (v) jsonSet(o, k, *v);
}
std::optional<std::string> optStr(const json_t* j, const char* k) {
    auto v = jsonString(j, k);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}
Digest256 digest(const json_t* j, const char* k) {
    auto b = hexDecode(jsonRequireString(j, k));
    if (!b || b->size() != 32) throw RequestError(errc::kInvalidField, std::string(k) + ": not a SHA-256 hex digest");
    Digest256 d;
    std::copy(b->begin(), b->end(), d.begin());
    return d;
}

}  // namespace

std::string AuditRecordCodec::isoTime(int64_t us) {
    time_t secs = static_cast<time_t>(us / 1000000);
    int64_t frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        --secs;
    }
    struct tm tm {};
    gmtime_r(&secs, &tm);
    char buf[64];
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(frac));
    return buf;
}

JsonPtr AuditRecordCodec::toJson(const AuditRecord& r) {
    JsonPtr o = jsonObject();
    jsonSet(o.get(), "instance_id", std::string_view(r.instanceId));
    jsonSet(o.get(), "seq", r.seq);
    jsonSet(o.get(), "time_us", r.eventTimeUs);
    jsonSet(o.get(), "time", std::string_view(isoTime(r.eventTimeUs)));
    jsonSet(o.get(), "janus_type", r.janusType);
    setOpt(o.get(), "subtype", r.subtype);
    setOpt(o.get(), "emitter", r.emitter);
    setOpt(o.get(), "plugin", r.plugin);
    setOpt(o.get(), "session_id", r.sessionId);
    setOpt(o.get(), "handle_id", r.handleId);
    setOpt(o.get(), "room", r.room);
    setOpt(o.get(), "actor", r.actor);
    jsonSet(o.get(), "action", std::string_view(r.action));
    jsonSet(o.get(), "outcome", std::string_view(r.outcome));
    jsonSet(o.get(), "event", jsonParse(r.event));
    jsonSet(o.get(), "prev_hash", std::string_view(hexEncode(r.prevHash)));
    jsonSet(o.get(), "hash", std::string_view(hexEncode(r.hash)));
    return o;
}

AuditRecord AuditRecordCodec::fromJson(const json_t* j) {
    AuditRecord r;
    r.instanceId = std::string(jsonRequireString(j, "instance_id"));
    r.seq = jsonRequireInt(j, "seq");
    r.eventTimeUs = jsonRequireInt(j, "time_us");
    r.janusType = jsonRequireInt(j, "janus_type");
    r.subtype = jsonInt(j, "subtype");
    r.emitter = optStr(j, "emitter");
    r.plugin = optStr(j, "plugin");
    r.sessionId = jsonInt(j, "session_id");
    r.handleId = jsonInt(j, "handle_id");
    r.room = optStr(j, "room");
    r.actor = optStr(j, "actor");
    r.action = std::string(jsonRequireString(j, "action"));
    r.outcome = std::string(jsonRequireString(j, "outcome"));
    const json_t* ev = json_object_get(j, "event");
    if (!json_is_object(ev)) throw RequestError(errc::kInvalidField, "event: must be an object");
    jsonDumpCanonical(ev, r.event);
    r.prevHash = digest(j, "prev_hash");
    r.hash = digest(j, "hash");
    return r;
}

}  // namespace hipaa::audit
