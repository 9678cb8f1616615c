// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Json.hpp"

#include "hipaa/Errors.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

namespace hipaa {

JsonPtr jsonObject() { return jsonAdopt(json_object()); }
JsonPtr jsonArray() { return jsonAdopt(json_array()); }

JsonPtr jsonParse(std::string_view text) {
    json_error_t err;
    JsonPtr j(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, &err));
    if (!j)
        throw RequestError(errc::kInvalidJson, "invalid JSON at line " + std::to_string(err.line) + " column " +
                                                   std::to_string(err.column));
    return j;
}

std::string jsonDump(const json_t* j, size_t flags) {
    if (!j) return "null";
    std::unique_ptr<char, decltype(&free)> s(json_dumps(j, flags | JSON_ENCODE_ANY), &free);
    return s ? std::string(s.get()) : std::string();
}

std::optional<std::string_view> jsonString(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (!json_is_string(v)) return std::nullopt;
    return std::string_view(json_string_value(v), json_string_length(v));
}

std::optional<int64_t> jsonInt(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (!json_is_integer(v)) return std::nullopt;
    return static_cast<int64_t>(json_integer_value(v));
}

std::optional<bool> jsonBool(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (!json_is_boolean(v)) return std::nullopt;
    return json_is_true(v);
}

namespace {

[[noreturn]] void invalid(const char* key, const std::string& what) {
    throw RequestError(errc::kInvalidField, std::string(key) + ": " + what);
}

const json_t* present(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (!v) throw RequestError(errc::kMissingField, std::string("missing field: ") + key);
    return v;
}

std::string_view asString(const json_t* v, const char* key) {
    if (!json_is_string(v)) invalid(key, "must be a string");
    return {json_string_value(v), json_string_length(v)};
}

std::string_view bounded(std::string_view s, const char* key, size_t minLen, size_t maxLen) {
    if (s.size() < minLen || s.size() > maxLen)
        invalid(key, "must be " + std::to_string(minLen) + " to " + std::to_string(maxLen) + " bytes long");
    if (s.find('\0') != std::string_view::npos) invalid(key, "must not contain NUL");
    return s;
}

int64_t asInt(const json_t* v, const char* key) {
    if (!json_is_integer(v)) invalid(key, "must be an integer");
    return json_integer_value(v);
}

int64_t bounded(int64_t i, const char* key, int64_t min, int64_t max) {
    if (i < min || i > max) invalid(key, "must be from " + std::to_string(min) + " to " + std::to_string(max));
    return i;
}

bool asBool(const json_t* v, const char* key) {
    if (!json_is_boolean(v)) invalid(key, "must be true or false");
    return json_is_true(v);
}

}  // namespace

std::string_view jsonRequireString(const json_t* obj, const char* key) { return asString(present(obj, key), key); }

std::string_view jsonRequireString(const json_t* obj, const char* key, size_t minLen, size_t maxLen) {
    return bounded(jsonRequireString(obj, key), key, minLen, maxLen);
}

int64_t jsonRequireInt(const json_t* obj, const char* key) { return asInt(present(obj, key), key); }

int64_t jsonRequireInt(const json_t* obj, const char* key, int64_t min, int64_t max) {
    return bounded(jsonRequireInt(obj, key), key, min, max);
}

bool jsonRequireBool(const json_t* obj, const char* key) { return asBool(present(obj, key), key); }

std::optional<std::string_view> jsonOptionalString(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (!v) return std::nullopt;
    return asString(v, key);
}

std::optional<std::string_view> jsonOptionalString(const json_t* obj, const char* key, size_t minLen, size_t maxLen) {
    auto s = jsonOptionalString(obj, key);
    if (s) bounded(*s, key, minLen, maxLen);
    return s;
}

std::optional<int64_t> jsonOptionalInt(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (!v) return std::nullopt;
    return asInt(v, key);
}

std::optional<int64_t> jsonOptionalInt(const json_t* obj, const char* key, int64_t min, int64_t max) {
    auto i = jsonOptionalInt(obj, key);
    if (i) bounded(*i, key, min, max);
    return i;
}

std::optional<bool> jsonOptionalBool(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (!v) return std::nullopt;
    return asBool(v, key);
}

void jsonSet(json_t* obj, const char* key, JsonPtr value) { json_object_set_new(obj, key, value.release()); }
void jsonSet(json_t* obj, const char* key, std::string_view value) {
    json_object_set_new(obj, key, json_stringn(value.data(), value.size()));
}
void jsonSet(json_t* obj, const char* key, const char* value) { json_object_set_new(obj, key, json_string(value)); }
void jsonSet(json_t* obj, const char* key, int64_t value) { json_object_set_new(obj, key, json_integer(value)); }
void jsonSet(json_t* obj, const char* key, int value) { json_object_set_new(obj, key, json_integer(value)); }
void jsonSet(json_t* obj, const char* key, uint64_t value) {
    json_object_set_new(obj, key, json_integer(static_cast<json_int_t>(value)));
}
void jsonSet(json_t* obj, const char* key, bool value) { json_object_set_new(obj, key, json_boolean(value)); }
void jsonSet(json_t* obj, const char* key, double value) { json_object_set_new(obj, key, json_real(value)); }

JsonPtr jsonError(int code, std::string_view message) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "error_code", code);
    jsonSet(j.get(), "error", message);
    return j;
}

}  // namespace hipaa

namespace hipaa {
namespace {

void appendCanonicalString(std::string& out, const char* s, size_t n) {
    static constexpr char kUpperHex[] = "0123456789ABCDEF";
    out += '"';
    size_t run = 0;  // start of the bytes not yet copied
    for (size_t i = 0; i < n; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;  // UTF-8 (validated by jansson) goes as is
        out.append(s + run, i - run);
        run = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out += kUpperHex[c >> 4];
                out += kUpperHex[c & 0xF];
        }
    }
    out.append(s + run, n - run);
    out += '"';
}

struct KeyRef {
    const char* key;
    size_t len;
    json_t* value;
};

// Keys of all open objects, innermost last (indices, since nested objects append to it).
thread_local std::vector<KeyRef> tlsKeys;

void appendCanonical(std::string& out, const json_t* j) {
    switch (json_typeof(j)) {
        case JSON_NULL:
            out += "null";
            return;
        case JSON_TRUE:
            out += "true";
            return;
        case JSON_FALSE:
            out += "false";
            return;
        case JSON_INTEGER: {
            char buf[24];
            auto end = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(json_integer_value(j))).ptr;
            out.append(buf, static_cast<size_t>(end - buf));
            return;
        }
        case JSON_REAL:
            out += jsonDump(j, JSON_COMPACT | JSON_ENCODE_ANY);
            return;  // rare: jansson's own digits
        case JSON_STRING:
            appendCanonicalString(out, json_string_value(j), json_string_length(j));
            return;
        case JSON_ARRAY: {
            out += '[';
            size_t n = json_array_size(j);
            for (size_t i = 0; i < n; ++i) {
                if (i) out += ',';
                appendCanonical(out, json_array_get(j, i));
            }
            out += ']';
            return;
        }
        case JSON_OBJECT: {
            const size_t base = tlsKeys.size();
            for (void* it = json_object_iter(const_cast<json_t*>(j)); it;
                 it = json_object_iter_next(const_cast<json_t*>(j), it))
                tlsKeys.push_back({json_object_iter_key(it), json_object_iter_key_len(it), json_object_iter_value(it)});
            // jansson's JSON_SORT_KEYS order: bytes (memcmp), then the shorter key first.
            std::sort(tlsKeys.begin() + static_cast<std::ptrdiff_t>(base), tlsKeys.end(),
                      [](const KeyRef& a, const KeyRef& b) {
                          int c = std::memcmp(a.key, b.key, std::min(a.len, b.len));
                          return c != 0 ? c < 0 : a.len < b.len;
                      });
            out += '{';
            const size_t end = tlsKeys.size();
            for (size_t i = base; i < end; ++i) {
                if (i > base) out += ',';
                const KeyRef k = tlsKeys[i];  // a copy: nested objects may reallocate the vector
                appendCanonicalString(out, k.key, k.len);
                out += ':';
                appendCanonical(out, k.value);
            }
            out += '}';
            tlsKeys.resize(base);
            return;
        }
    }
}

}  // namespace

void jsonDumpCanonical(const json_t* j, std::string& out) {
    if (!j) {
        out += "null";
        return;
    }
    appendCanonical(out, j);
}

}  // namespace hipaa
