// SPDX-License-Identifier: GPL-3.0-or-later
#include "EventScrubber.hpp"

#include <arpa/inet.h>

#include <cmath>

namespace hipaa::audit {
namespace {

// Action names come from event values: keep them short and of a fixed alphabet.
std::string token(std::string_view s) {
    if (s.empty() || s.size() > 48) return "other";
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return "other";
    return std::string(s);
}

std::optional<std::string> str(const json_t* obj, const char* key) {
    auto v = jsonString(obj, key);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

// The package without "janus.plugin.": "videoroom", "hipaa.room" (dots kept between name parts).
std::string shortPlugin(std::string_view package) {
    if (package.starts_with("janus.plugin.")) package.remove_prefix(13);
    std::string out;
    size_t start = 0;
    while (true) {
        size_t dot = package.find('.', start);
        std::string part =
            token(package.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (part == "other") return "other";
        out += part;
        if (dot == std::string_view::npos) return out.size() > 48 ? "other" : out;
        out += '.';
        start = dot + 1;
    }
}

}  // namespace

std::optional<std::string> EventScrubber::coarsenIp(std::string_view ip) {
    if (ip.size() >= 64) return std::nullopt;
    char buf[64];
    ip.copy(buf, ip.size());
    buf[ip.size()] = '\0';
    unsigned char addr[16];
    char text[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, buf, addr) == 1) {
        addr[3] = 0;
        inet_ntop(AF_INET, addr, text, sizeof text);
        return std::string(text) + "/24";
    }
    if (inet_pton(AF_INET6, buf, addr) == 1) {
        for (int i = 6; i < 16; ++i) addr[i] = 0;
        inet_ntop(AF_INET6, addr, text, sizeof text);
        return std::string(text) + "/48";
    }
    return std::nullopt;
}

std::string EventScrubber::pseudonym(std::string_view domain, const std::string& value) {
    constexpr size_t kMaxCached = 4096;
    std::string k(domain);
    k.push_back('\0');
    k += value;
    if (auto it = pseudonymCache_.find(k); it != pseudonymCache_.end()) return it->second;
    if (pseudonymCache_.size() >= kMaxCached) pseudonymCache_.clear();
    std::string p = pseudonymizer_.value(domain, value);
    pseudonymCache_.emplace(std::move(k), p);
    return p;
}

JsonPtr EventScrubber::leaf(const json_t* node, FieldAction action, std::string_view key) {
    switch (action) {
        case FieldAction::Drop:
            ++counters_.droppedByPolicy;
            return nullptr;
        case FieldAction::Pseudonymize: {
            if (json_is_null(node)) return jsonAdopt(json_null());
            std::string v = json_is_string(node) ? std::string(json_string_value(node), json_string_length(node))
                                                 : jsonDump(node, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
            ++counters_.pseudonymized;
            return jsonAdopt(json_string(pseudonym(key, v).c_str()));
        }
        case FieldAction::CoarsenIp: {
            if (json_is_string(node))
                if (auto c = coarsenIp(json_string_value(node))) {
                    ++counters_.coarsened;
                    return jsonAdopt(json_string(c->c_str()));
                }
            ++counters_.droppedByPolicy;
            return nullptr;
        }
        case FieldAction::Keep:
            break;
    }
    ++counters_.keptFields;
    if (json_is_string(node)) {
        std::string s(json_string_value(node), json_string_length(node));
        for (char& c : s)
            if (c == '\0') c = ' ';  // jsonb refuses \u0000
        size_t hits = 0;
        patterns_.scrub(s, &hits);
        counters_.patternHits += hits;
        json_t* out = json_stringn(s.data(), s.size());
        return out ? jsonAdopt(out) : jsonAdopt(json_string("[invalid-utf8]"));
    }
    if (json_is_real(node)) {
        double d = json_real_value(node);
        // Huge reals would come back from jsonb as integers jansson cannot parse: keep them as text.
        if (!std::isfinite(d) || std::fabs(d) >= 1e15)
            return jsonAdopt(json_string(jsonDump(node, JSON_ENCODE_ANY).c_str()));
    }
    return jsonRetain(const_cast<json_t*>(node));  // integers, reals, booleans, null are immutable here
}

JsonPtr EventScrubber::walk(const json_t* node, const std::vector<const AuditPolicy::Node*>& rules,
                            std::optional<FieldAction> inherited, std::string_view key) {
    std::optional<FieldAction> own;
    for (const auto* r : rules)
        if (r->action) {
            own = r->action;
            break;
        }
    bool container = json_is_object(node) || json_is_array(node);
    if (!container) {
        if (auto a = own ? own : inherited) return leaf(node, *a, key);
        ++counters_.droppedUnknown;
        return nullptr;
    }
    std::optional<FieldAction> action = own ? own : inherited;
    bool deeper = false;
    for (const auto* r : rules)
        if (!r->children.empty() || r->star) deeper = true;
    if (!deeper) {
        if (!action) {
            ++counters_.droppedUnknown;
            return nullptr;
        }
        if (*action == FieldAction::Drop || *action == FieldAction::Pseudonymize || *action == FieldAction::CoarsenIp)
            return leaf(node, *action, key);
    }
    auto childRules = [&](std::string_view k) {
        std::vector<const AuditPolicy::Node*> next;
        for (const auto* r : rules) {
            if (const auto* c = r->child(k)) next.push_back(c);
        }
        for (const auto* r : rules)
            if (r->star) next.push_back(r->star.get());
        return next;
    };
    if (json_is_object(node)) {
        JsonPtr out = jsonObject();
        const char* k;
        json_t* v;
        json_object_foreach(const_cast<json_t*>(node), k, v) {
            if (JsonPtr c = walk(v, childRules(k), action, k)) json_object_set_new(out.get(), k, c.release());
        }
        if (json_object_size(out.get()) == 0 && json_object_size(node) > 0) return nullptr;
        return out;
    }
    JsonPtr out = jsonArray();
    size_t i;
    json_t* v;
    json_array_foreach(const_cast<json_t*>(node), i, v) {
        if (JsonPtr c = walk(v, childRules("*"), action, key)) json_array_append_new(out.get(), c.release());
    }
    if (json_array_size(out.get()) == 0 && json_array_size(node) > 0) return nullptr;
    return out;
}

JsonPtr EventScrubber::scrubTree(const json_t* event) {
    int64_t type = jsonInt(event, "type").value_or(0);
    std::string_view plugin;
    if (const json_t* body = json_object_get(event, "event")) plugin = jsonString(body, "plugin").value_or("");
    const AuditPolicy::Node* root = policy_.rootFor(type, plugin);
    JsonPtr out = walk(event, {root}, std::nullopt, "");
    return out ? std::move(out) : jsonObject();
}

AuditRecord EventScrubber::scrub(const json_t* event) {
    AuditRecord r;
    JsonPtr clean = scrubTree(event);
    r.eventTimeUs = jsonInt(event, "timestamp").value_or(0);
    r.janusType = jsonInt(event, "type").value_or(0);
    r.subtype = jsonInt(event, "subtype");
    r.sessionId = jsonInt(event, "session_id");
    r.handleId = jsonInt(event, "handle_id");
    r.emitter = str(clean.get(), "emitter");
    const json_t* body = json_object_get(clean.get(), "event");
    const json_t* raw = json_object_get(event, "event");
    const json_t* data = body ? json_object_get(body, "data") : nullptr;
    if (r.janusType == 64 || r.janusType == 2) r.plugin = str(raw, "plugin");
    if (r.plugin && r.plugin->size() > 128) r.plugin = "other";

    switch (r.janusType) {
        case 1:
            r.action = "session." + token(jsonString(body, "name").value_or(""));
            break;
        case 2:
            r.action = "handle." + token(jsonString(body, "name").value_or(""));
            break;
        case 4:
            r.action = "external";
            break;
        case 8: {
            const json_t* jsep = body ? json_object_get(body, "jsep") : nullptr;
            r.action = "jsep." + token(jsonString(body, "owner").value_or("")) + "." +
                       token(jsonString(jsep, "type").value_or(""));
            break;
        }
        case 16: {
            r.action = "webrtc.other";
            for (const char* k : {"ice", "dtls", "connection"})
                if (auto v = jsonString(body, k)) {
                    r.action = std::string("webrtc.") + k + "." + token(*v);
                    break;
                }
            for (const char* k : {"local-candidate", "remote-candidate", "selected-pair"})
                if (json_object_get(raw, k)) r.action = std::string("webrtc.") + k;
            break;
        }
        case 32:
            r.action = json_object_get(raw, "receiving")   ? "media.receiving"
                       : json_object_get(raw, "slow_link") ? "media.slow_link"
                                                           : "media.stats";
            break;
        case 64: {
            std::string p = shortPlugin(r.plugin.value_or(""));
            auto ev = jsonString(data, "event");
            r.action = "plugin." + p + (ev ? "." + token(*ev) : "");
            break;
        }
        case 128:
            r.action = "transport." + token(jsonString(data ? data : nullptr, "event").value_or("other"));
            break;
        case 256:
            r.action = "core." + token(jsonString(body, "status").value_or("other"));
            break;
        default:
            r.action = "janus.type" + std::to_string(r.janusType);
            break;
    }

    if (data) {
        if (const json_t* room = json_object_get(data, "room")) {
            if (json_is_integer(room))
                r.room = std::to_string(json_integer_value(room));
            else if (json_is_string(room))
                r.room = json_string_value(room);
        }
        for (const char* k : {"pseudonym", "participant", "actor"})
            if (auto v = jsonString(data, k); v && v->starts_with("ps1_")) {
                r.actor = std::string(*v);
                break;
            }
        if (!r.actor)
            for (const char* k : {"display", "username"})
                if (auto v = jsonString(data, k); v && v->starts_with("ps1_")) {
                    r.actor = std::string(*v);
                    break;
                }
    }
    const json_t* rawData = raw ? json_object_get(raw, "data") : nullptr;
    r.outcome = (rawData && (json_object_get(rawData, "error_code") || json_object_get(rawData, "error"))) ? "failure"
                                                                                                           : "success";
    jsonDumpCanonical(clean.get(), r.event);
    return r;
}

}  // namespace hipaa::audit
