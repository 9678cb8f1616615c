// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditRecordCodec.hpp"

#include "AuditRecordFields.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <ctime>

namespace hipaa::audit {
namespace {

// One field each way; an absent key is SQL NULL.
void put(JsonBuilder& o, const char* k, const std::string& v) { o.set(k, v); }
void put(JsonBuilder& o, const char* k, int64_t v) { o.set(k, v); }
void put(JsonBuilder& o, const char* k, const std::optional<std::string>& v) { o.setOptional(k, v); }
void put(JsonBuilder& o, const char* k, const std::optional<int64_t>& v) { o.setOptional(k, v); }
void get(const json_t* j, const char* k, std::string& v) { v = std::string(jsonRequireString(j, k)); }
void get(const json_t* j, const char* k, int64_t& v) { v = jsonRequireInt(j, k); }
void get(const json_t* j, const char* k, std::optional<std::string>& v) {
    auto s = jsonString(j, k);
    v = s ? std::optional<std::string>(std::string(*s)) : std::nullopt;
}
void get(const json_t* j, const char* k, std::optional<int64_t>& v) { v = jsonInt(j, k); }
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
    JsonBuilder o;
    AuditRecordFields::forEach(r, [&](const AuditRecordFields::Field& f, const auto& value) {
        put(o, f.jsonKey, value);
        // For people reading an export; fromJson reads time_us.
        if (f.type == AuditRecordFields::Type::Timestamp) o.set("time", isoTime(r.eventTimeUs));
    });
    return std::move(o)
        .set("event", jsonParse(r.event))
        .set("prev_hash", hexEncode(r.prevHash))
        .set("hash", hexEncode(r.hash))
        .build();
}

AuditRecord AuditRecordCodec::fromJson(const json_t* j) {
    AuditRecord r;
    AuditRecordFields::forEach(r, [&](const AuditRecordFields::Field& f, auto& value) { get(j, f.jsonKey, value); });
    const json_t* ev = json_object_get(j, "event");
    if (!json_is_object(ev)) throw RequestError(errc::kInvalidField, "event: must be an object");
    jsonDumpCanonical(ev, r.event);
    r.prevHash = digest(j, "prev_hash");
    r.hash = digest(j, "hash");
    return r;
}

}  // namespace hipaa::audit
