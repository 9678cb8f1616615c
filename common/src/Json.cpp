#include "hipaa/Json.hpp"

#include "hipaa/Errors.hpp"

namespace hipaa {

JsonPtr jsonObject() { return jsonAdopt(json_object()); }
JsonPtr jsonArray() { return jsonAdopt(json_array()); }

JsonPtr jsonParse(std::string_view text) {
    json_error_t err;
    JsonPtr j(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, &err));
    if (!j)
        throw RequestError(errc::kInvalidJson, "invalid JSON at line " + std::to_string(err.line) +
                                                   " column " + std::to_string(err.column));
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

std::string_view jsonRequireString(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (!v) throw RequestError(errc::kMissingField, std::string("missing field: ") + key);
    if (!json_is_string(v))
        throw RequestError(errc::kInvalidField, std::string("field must be a string: ") + key);
    return {json_string_value(v), json_string_length(v)};
}

int64_t jsonRequireInt(const json_t* obj, const char* key) {
    const json_t* v = json_object_get(obj, key);
    if (!v) throw RequestError(errc::kMissingField, std::string("missing field: ") + key);
    if (!json_is_integer(v))
        throw RequestError(errc::kInvalidField, std::string("field must be an integer: ") + key);
    return json_integer_value(v);
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
