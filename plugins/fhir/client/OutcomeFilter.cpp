// SPDX-License-Identifier: GPL-3.0-or-later
#include "OutcomeFilter.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <cctype>
#include <initializer_list>
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

void copyStringArray(const json_t* from, JsonBuilder& to, const char* key) {
    JsonArrayBuilder out;
    size_t i;
    json_t* v;
    json_array_foreach(json_object_get(from, key), i, v) {
        if (json_is_string(v) && safeToken(json_string_value(v))) out.push(json_string_value(v));
    }
    if (!out.empty()) to.set(key, std::move(out).build());
}

// Copies the string fields named by `keys` that are safe tokens.
void copyTokens(const json_t* from, JsonBuilder& to, std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
        auto v = jsonString(from, key);
        if (v && safeToken(*v)) to.set(key, *v);
    }
}

}  // namespace

JsonPtr OutcomeFilter::phiFree(const json_t* body) {
    if (jsonString(body, "resourceType").value_or("") != "OperationOutcome") return nullptr;
    JsonArrayBuilder issues;
    size_t i;
    json_t* issue;
    json_array_foreach(json_object_get(body, "issue"), i, issue) {
        if (i >= 20) break;
        JsonBuilder o;
        copyTokens(issue, o, {"severity", "code"});
        JsonArrayBuilder codings;
        size_t k;
        json_t* c;
        json_array_foreach(json_object_get(json_object_get(issue, "details"), "coding"), k, c) {
            JsonBuilder cj;
            copyTokens(c, cj, {"system", "code"});
            codings.push(std::move(cj).build());
        }
        if (!codings.empty()) o.set("details", JsonBuilder().set("coding", std::move(codings).build()).build());
        copyStringArray(issue, o, "expression");
        copyStringArray(issue, o, "location");
        issues.push(std::move(o).build());
    }
    return JsonBuilder().set("resourceType", "OperationOutcome").set("issue", std::move(issues).build()).build();
}

}  // namespace hipaa::fhir
