// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Owning and borrowed jansson handles. JsonPtr owns one reference; a plain `const json_t*` (or
// JsonView) never does. Convert borrowed to owned only with jsonRetain().
#include <jansson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hipaa {

struct JsonDeleter {
    void operator()(json_t* j) const noexcept { json_decref(j); }
};
using JsonPtr = std::unique_ptr<json_t, JsonDeleter>;

// Takes over a new reference (e.g. from json_object()).
inline JsonPtr jsonAdopt(json_t* j) noexcept { return JsonPtr(j); }
// Adds a reference to a borrowed value.
inline JsonPtr jsonRetain(json_t* j) noexcept { return JsonPtr(json_incref(j)); }
// Hands ownership to a C API that steals the reference.
inline json_t* jsonRelease(JsonPtr&& j) noexcept { return j.release(); }

JsonPtr jsonObject();
JsonPtr jsonArray();
// Parses text; throws RequestError(kInvalidJson) with jansson's position (never the text itself).
JsonPtr jsonParse(std::string_view text);
std::string jsonDump(const json_t* j, size_t flags = JSON_COMPACT | JSON_SORT_KEYS);
// The same bytes as jsonDump(j) with the default flags (compact, keys sorted), appended to `out`,
// about 5x faster: no per-container loop-check table, no callback per token, no copy at the end.
// (The audit chain hashes this text, so it must stay byte-identical; JsonTest compares the two.)
void jsonDumpCanonical(const json_t* j, std::string& out);

// Lenient field readers on a borrowed object: nullopt when absent OR of another type. For data whose
// shape we do not control (Janus events to scrub, answers of peers, our own stored files), never for
// requests: a request field of the wrong type must be refused, not replaced by a default.
std::optional<std::string_view> jsonString(const json_t* obj, const char* key);
std::optional<int64_t> jsonInt(const json_t* obj, const char* key);
std::optional<bool> jsonBool(const json_t* obj, const char* key);

// Request field readers. They throw RequestError naming the field: kMissingField when a required
// field is absent, kInvalidField ("<key>: ...") when a field is present with another JSON type (null
// included) or out of its bounds. Optional readers answer nullopt only when the field is absent.
// Bounded strings count bytes and never hold NUL; integers are JSON integers (1.0 is not one).
std::string_view jsonRequireString(const json_t* obj, const char* key);
std::string_view jsonRequireString(const json_t* obj, const char* key, size_t minLen, size_t maxLen);
int64_t jsonRequireInt(const json_t* obj, const char* key);
int64_t jsonRequireInt(const json_t* obj, const char* key, int64_t min, int64_t max);
bool jsonRequireBool(const json_t* obj, const char* key);
std::optional<std::string_view> jsonOptionalString(const json_t* obj, const char* key);
std::optional<std::string_view> jsonOptionalString(const json_t* obj, const char* key, size_t minLen, size_t maxLen);
std::optional<int64_t> jsonOptionalInt(const json_t* obj, const char* key);
std::optional<int64_t> jsonOptionalInt(const json_t* obj, const char* key, int64_t min, int64_t max);
std::optional<bool> jsonOptionalBool(const json_t* obj, const char* key);

void jsonSet(json_t* obj, const char* key, JsonPtr value);
void jsonSet(json_t* obj, const char* key, std::string_view value);
void jsonSet(json_t* obj, const char* key, const char* value);
void jsonSet(json_t* obj, const char* key, int64_t value);
void jsonSet(json_t* obj, const char* key, int value);
void jsonSet(json_t* obj, const char* key, uint64_t value);
void jsonSet(json_t* obj, const char* key, bool value);
void jsonSet(json_t* obj, const char* key, double value);

// {"error_code": code, "error": message}; the glue adds the plugin's envelope ("hipaa.<plugin>": "error").
JsonPtr jsonError(int code, std::string_view message);

}  // namespace hipaa
