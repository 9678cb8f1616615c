// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingContextJson.hpp"

#include "RecorderErrors.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <algorithm>
#include <set>

namespace hipaa::recorder {
namespace {

bool isId(std::string_view s) {
    return s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '-';
           });
}

void checkList(const std::vector<std::string>& list, const char* field) {
    if (list.size() > RecordingContextJson::kMaxEach)
        throw RequestError(errc::kInvalidField, std::string(field) + ": at most 16 pseudonyms");
    std::set<std::string_view> seen;
    for (const auto& p : list)
        if (!RecordingContextJson::isPseudonym(p) || !seen.insert(p).second)
            throw RequestError(errc::kInvalidField,
                               std::string(field) + ": distinct participant pseudonyms (ps1_ and 32 hex digits)");
}

// A JSON array of strings, or nullopt.
std::optional<std::vector<std::string>> strings(const json_t* array) {
    if (!json_is_array(array)) return std::nullopt;
    std::vector<std::string> out;
    size_t i;
    json_t* v;
    json_array_foreach(array, i, v) {
        if (!json_is_string(v)) return std::nullopt;
        out.emplace_back(json_string_value(v));
    }
    return out;
}

}  // namespace

bool RecordingContextJson::isPseudonym(std::string_view s) {
    return s.size() == 36 && s.starts_with("ps1_") &&
           std::all_of(s.begin() + 4, s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void RecordingContextJson::check(const RecordingContext& c) {
    if (!isId(c.visit)) throw RequestError(errc::kInvalidField, "visit: at most 64 of [A-Za-z0-9_-]");
    if (!isId(c.room)) throw RequestError(errc::kInvalidField, "room: at most 64 of [A-Za-z0-9_-]");
    checkList(c.providers, "providers");
    checkList(c.patients, "patients");
}

std::optional<RecordingContext> RecordingContextJson::fromRequest(const json_t* request) {
    const char* keys[] = {"visit", "room", "providers", "patients"};
    if (std::none_of(std::begin(keys), std::end(keys), [&](const char* k) { return json_object_get(request, k); }))
        return std::nullopt;
    RecordingContext c;
    c.visit = std::string(jsonOptionalString(request, "visit", 1, 64).value_or(""));
    c.room = std::string(jsonOptionalString(request, "room", 1, 64).value_or(""));
    for (auto [key, list] : {std::pair{"providers", &c.providers}, std::pair{"patients", &c.patients}}) {
        const json_t* v = json_object_get(request, key);
        if (!v) continue;
        auto s = strings(v);
        if (!s) throw RequestError(errc::kInvalidField, std::string(key) + " must be an array of pseudonyms");
        *list = std::move(*s);
    }
    check(c);
    return c;
}

JsonPtr RecordingContextJson::toJson(const RecordingContext& c) {
    JsonArrayBuilder providers, patients;
    for (const auto& p : c.providers) providers.push(p);
    for (const auto& p : c.patients) patients.push(p);
    return JsonBuilder()
        .set("visit", c.visit)
        .set("room", c.room)
        .set("providers", std::move(providers).build())
        .set("patients", std::move(patients).build())
        .build();
}

std::optional<RecordingContext> RecordingContextJson::fromJson(const json_t* json) {
    if (!json_is_object(json)) return std::nullopt;
    auto visit = jsonString(json, "visit"), room = jsonString(json, "room");
    auto providers = strings(json_object_get(json, "providers")), patients = strings(json_object_get(json, "patients"));
    if (!visit || !room || !providers || !patients) return std::nullopt;
    RecordingContext c{std::string(*visit), std::string(*room), std::move(*providers), std::move(*patients)};
    try {
        check(c);
    } catch (const RequestError&) {
        return std::nullopt;
    }
    return c;
}

}  // namespace hipaa::recorder
