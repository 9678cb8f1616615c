#include "OutcomeFilter.hpp"

#include <cctype>
#include <string>

namespace hipaa::fhir {
namespace {

// FHIRPath-like paths and codes only: letters, digits and a few punctuation marks, bounded length.
bool safeToken(std::string_view s) {
    if (s.empty() || s.size() > 200) return false;
    for (unsigned char c : s)
        if (!std::isalnum(c) && c != '.' && c != '-' && c != '_' && c != '[' && c != ']' && c != ':' && c != '/')
            return false;
    return true;
}

void copyStringArray(const json_t* from, json_t* to, const char* key) {
    JsonPtr out = jsonArray();
    size_t i;
    json_t* v;
    json_array_foreach(json_object_get(from, key), i, v) {
        if (json_is_string(v) && safeToken(json_string_value(v)))
            json_array_append_new(out.get(), json_string(json_string_value(v)));
    }
    if (json_array_size(out.get()) > 0) jsonSet(to, key, std::move(out));
}

}  // namespace

JsonPtr OutcomeFilter::phiFree(const json_t* body) {
    if (jsonString(body, "resourceType").value_or("") != "OperationOutcome") return nullptr;
    JsonPtr out = jsonObject();
    jsonSet(out.get(), "resourceType", "OperationOutcome");
    JsonPtr issues = jsonArray();
    size_t i;
    json_t* issue;
    json_array_foreach(json_object_get(body, "issue"), i, issue) {
        if (i >= 20) break;
        JsonPtr o = jsonObject();
        for (const char* key : {"severity", "code"}) {
            auto v = jsonString(issue, key);
            if (v && safeToken(*v)) jsonSet(o.get(), key, *v);
        }
        JsonPtr codings = jsonArray();
        size_t k;
        json_t* c;
        json_array_foreach(json_object_get(json_object_get(issue, "details"), "coding"), k, c) {
            JsonPtr cj = jsonObject();
            for (const char* key : {"system", "code"}) {
                auto v = jsonString(c, key);
                if (v && safeToken(*v)) jsonSet(cj.get(), key, *v);
            }
            json_array_append_new(codings.get(), jsonRelease(std::move(cj)));
        }
        if (json_array_size(codings.get()) > 0) {
            JsonPtr details = jsonObject();
            jsonSet(details.get(), "coding", std::move(codings));
            jsonSet(o.get(), "details", std::move(details));
        }
        copyStringArray(issue, o.get(), "expression");
        copyStringArray(issue, o.get(), "location");
        json_array_append_new(issues.get(), jsonRelease(std::move(o)));
    }
    jsonSet(out.get(), "issue", std::move(issues));
    return out;
}

}  // namespace hipaa::fhir
