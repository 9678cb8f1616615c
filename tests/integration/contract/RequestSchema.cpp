// SPDX-License-Identifier: GPL-3.0-or-later
#include "RequestSchema.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "TempDir.hpp"
#include "hipaa/Errors.hpp"

namespace hipaa::test {
namespace {

// A step into a request: an object key, or (index >= 0) an array element.
struct Step {
    std::string key;
    int index = -1;
};
using Path = std::vector<Step>;

std::string pathName(const Path& p) {
    std::string s;
    for (const auto& st : p) {
        if (st.index >= 0)
            s += "[" + std::to_string(st.index) + "]";
        else
            s += (s.empty() ? "" : ".") + st.key;
    }
    return s;
}

json_t* at(json_t* root, const Path& p, size_t n) {
    json_t* j = root;
    for (size_t i = 0; i < n && j; ++i)
        j = p[i].index >= 0 ? json_array_get(j, static_cast<size_t>(p[i].index)) : json_object_get(j, p[i].key.c_str());
    return j;
}

// The example with the value at `p` replaced (value == nullptr: removed).
JsonPtr mutate(const json_t* example, const Path& p, JsonPtr value) {
    JsonPtr copy = jsonAdopt(json_deep_copy(example));
    json_t* parent = at(copy.get(), p, p.size() - 1);
    if (!parent) throw std::logic_error("no parent for " + pathName(p));
    const Step& last = p.back();
    if (last.index >= 0) {
        if (value)
            json_array_set_new(parent, static_cast<size_t>(last.index), value.release());
        else
            json_array_remove(parent, static_cast<size_t>(last.index));
    } else if (value) {
        json_object_set_new(parent, last.key.c_str(), value.release());
    } else {
        json_object_del(parent, last.key.c_str());
    }
    return copy;
}

std::set<std::string> typesOf(const json_t* s) {
    std::set<std::string> out;
    const json_t* t = json_object_get(s, "type");
    if (json_is_string(t)) out.insert(json_string_value(t));
    size_t i;
    const json_t* v;
    json_array_foreach(t, i, v) out.insert(json_string_value(v));
    if (out.empty())
        if (const json_t* c = json_object_get(s, "const"); json_is_string(c)) out.insert("string");
    return out;
}

bool allows(const std::set<std::string>& types, const std::string& t) {
    return types.count(t) || (t == "integer" && types.count("number"));
}

std::string repeat(char c, size_t n) { return std::string(n, c); }

// Any JSON value (jansson's parser takes only objects and arrays at the top).
JsonPtr value(const std::string& text) {
    JsonPtr a = jsonParse("[" + text + "]");
    return jsonRetain(json_array_get(a.get(), 0));
}

}  // namespace

RequestSchema RequestSchema::load(const std::string& path) {
    RequestSchema s;
    s.path_ = path;
    s.doc_ = jsonParse(readFile(path));
    const json_t* api = json_object_get(s.doc_.get(), "x-api");
    s.api_ = std::string(jsonString(api, "janus").value_or(""));
    s.target_ = std::string(jsonString(api, "plugin").value_or(jsonString(api, "handler").value_or("")));
    s.envelope_ = std::string(jsonString(api, "envelope").value_or(""));
    s.answers_ = std::string(jsonString(api, "answers").value_or(""));
    if (s.api_.empty() || s.target_.empty() || s.envelope_.empty() || s.answers_.empty())
        throw std::runtime_error(path + ": x-api needs janus, plugin/handler, envelope and answers");
    return s;
}

const json_t* RequestSchema::resolve(const json_t* schema) const {
    for (int depth = 0; depth < 8; ++depth) {
        auto ref = jsonString(schema, "$ref");
        if (!ref) return schema;
        if (ref->rfind("#/", 0) != 0) throw std::runtime_error(path_ + ": only local $ref: " + std::string(*ref));
        const json_t* j = doc_.get();
        std::string rest(ref->substr(2));
        size_t pos = 0;
        while (j && pos <= rest.size()) {
            size_t slash = rest.find('/', pos);
            std::string key = rest.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
            j = json_object_get(j, key.c_str());
            if (slash == std::string::npos) break;
            pos = slash + 1;
        }
        if (!j) throw std::runtime_error(path_ + ": unresolved $ref " + std::string(*ref));
        schema = j;
    }
    throw std::runtime_error(path_ + ": $ref chain too long");
}

std::vector<std::string> RequestSchema::requestNames() const {
    std::vector<std::string> out;
    size_t i;
    const json_t* r;
    json_array_foreach(json_object_get(doc_.get(), "oneOf"), i, r) {
        const json_t* def = resolve(r);
        std::string name(
            jsonString(json_object_get(json_object_get(def, "properties"), "request"), "const").value_or(""));
        if (name.empty()) throw std::runtime_error(path_ + ": a request definition without properties.request.const");
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
}

std::vector<ContractCase> RequestSchema::cases() const {
    std::vector<ContractCase> out;
    // `request` itself: absent, of another type, unknown.
    out.push_back({"request absent", jsonParse(R"({})"), errc::kMissingField, {}});
    for (const char* wrong : {"7", "1.5", "true", "null", "[]", "{}"})
        out.push_back({std::string("request = ") + wrong,
                       jsonParse(std::string(R"({"request":)") + wrong + "}"),
                       errc::kInvalidField,
                       {}});
    out.push_back({"request = unknown", jsonParse(R"({"request":"no_such_request"})"), errc::kUnknownRequest, {}});
    size_t i;
    const json_t* r;
    json_array_foreach(json_object_get(doc_.get(), "oneOf"), i, r) {
        std::string ref(jsonString(r, "$ref").value_or(""));
        requestCases(ref.substr(ref.rfind('/') + 1), resolve(r), out);
    }
    return out;
}

void RequestSchema::requestCases(const std::string& def, const json_t* schema, std::vector<ContractCase>& out) const {
    const json_t* example = json_array_get(json_object_get(schema, "examples"), 0);
    if (!json_is_object(example)) throw std::runtime_error(path_ + ": " + def + " has no example");
    const std::set<int> parserCodes{errc::kInvalidJson, errc::kMissingField, errc::kInvalidField,
                                    errc::kUnknownRequest};
    auto refused = [&](const Path& p, const std::string& what, JsonPtr value, int code) {
        out.push_back({def + " " + pathName(p) + " " + what, mutate(example, p, std::move(value)), code, {}});
    };
    auto accepted = [&](const Path& p, const std::string& what, JsonPtr value, int fieldCode) {
        std::set<int> no = parserCodes;
        no.insert(fieldCode);
        out.push_back({def + " " + pathName(p) + " " + what, mutate(example, p, std::move(value)), 0, no});
    };
    out.push_back({def + " example", jsonAdopt(json_deep_copy(example)), 0, parserCodes});

    // Every field, recursively (array items through their first element in the example).
    std::function<void(const Path&, const json_t*, bool)> field = [&](const Path& p, const json_t* raw, bool required) {
        const json_t* s = resolve(raw);
        const std::set<std::string> types = typesOf(s);
        if (types.empty()) throw std::runtime_error(path_ + ": " + def + " " + pathName(p) + " has no type");
        const int code = static_cast<int>(jsonInt(s, "x-error-code").value_or(errc::kInvalidField));
        const json_t* current = at(const_cast<json_t*>(example), p, p.size());
        static const std::vector<std::pair<std::string, std::string>> kWrong = {
            {"string", R"("x")"}, {"integer", "7"}, {"number", "1.5"}, {"boolean", "true"},
            {"null", "null"},     {"array", "[]"},  {"object", "{}"}};
        for (const auto& [t, text] : kWrong)
            if (!p.empty() && !allows(types, t))
                refused(p, "= " + text + " (wrong type)", value(text), errc::kInvalidField);
        if (required)
            refused(p, "absent", nullptr, static_cast<int>(jsonInt(s, "x-missing-code").value_or(errc::kMissingField)));

        if (!p.empty() && allows(types, "string")) {
            char c = json_is_string(current) && json_string_length(current) > 0 ? json_string_value(current)[0] : 'a';
            const json_t* cst = json_object_get(s, "const");
            const json_t* en = json_object_get(s, "enum");
            std::vector<std::string> values;
            if (json_is_string(cst)) values.emplace_back(json_string_value(cst));
            size_t k;
            const json_t* v;
            json_array_foreach(en, k, v) if (json_is_string(v)) values.emplace_back(json_string_value(v));
            if (!values.empty()) {
                refused(p, "= not one of its values", jsonAdopt(json_string(("x" + values[0]).c_str())), code);
                for (const auto& val : values) accepted(p, "= " + val, jsonAdopt(json_string(val.c_str())), code);
            } else {
                const bool lengthOnly = !json_object_get(s, "pattern") && !json_object_get(s, "format") &&
                                        !json_object_get(s, "x-invalid-examples");
                if (auto max = jsonInt(s, "maxLength")) {
                    auto n = static_cast<size_t>(*max);
                    refused(p, "= " + std::to_string(n + 1) + " bytes",
                            jsonAdopt(json_stringn(repeat(c, n + 1).data(), n + 1)), code);
                    if (lengthOnly)
                        accepted(p, "= " + std::to_string(n) + " bytes",
                                 jsonAdopt(json_stringn(repeat(c, n).data(), n)), code);
                }
                if (auto min = jsonInt(s, "minLength"); min && *min > 0) {
                    auto n = static_cast<size_t>(*min);
                    refused(p, "= " + std::to_string(n - 1) + " bytes",
                            jsonAdopt(json_stringn(repeat(c, n - 1).data(), n - 1)), code);
                    if (lengthOnly)
                        accepted(p, "= " + std::to_string(n) + " bytes",
                                 jsonAdopt(json_stringn(repeat(c, n).data(), n)), code);
                }
                json_array_foreach(json_object_get(s, "x-invalid-examples"), k, v) refused(
                    p, "= \"" + std::string(json_string_value(v)) + "\"", jsonRetain(const_cast<json_t*>(v)), code);
            }
        }
        if (allows(types, "integer") && !allows(types, "string")) {
            std::vector<int64_t> values;
            size_t k;
            const json_t* v;
            json_array_foreach(json_object_get(s, "enum"), k, v) values.push_back(json_integer_value(v));
            if (!values.empty()) {
                refused(p, "= not one of its values",
                        jsonAdopt(json_integer(*std::max_element(values.begin(), values.end()) + 1)), code);
                for (int64_t val : values) accepted(p, "= " + std::to_string(val), jsonAdopt(json_integer(val)), code);
            }
            if (auto min = jsonInt(s, "minimum")) {
                refused(p, "= " + std::to_string(*min - 1), jsonAdopt(json_integer(*min - 1)), code);
                accepted(p, "= " + std::to_string(*min), jsonAdopt(json_integer(*min)), code);
            }
            if (auto max = jsonInt(s, "maximum")) {
                refused(p, "= " + std::to_string(*max + 1), jsonAdopt(json_integer(*max + 1)), code);
                accepted(p, "= " + std::to_string(*max), jsonAdopt(json_integer(*max)), code);
            }
        }
        if (types.count("array")) {
            const json_t* first = json_array_get(current, 0);
            if (!first)
                throw std::runtime_error(path_ + ": the example of " + def + " needs one element in " + pathName(p));
            if (auto min = jsonInt(s, "minItems"); min && *min > 0) refused(p, "= []", jsonArray(), code);
            if (auto max = jsonInt(s, "maxItems")) {
                JsonPtr many = jsonArray();
                for (int64_t k = 0; k <= *max; ++k) json_array_append_new(many.get(), json_deep_copy(first));
                refused(p, "= " + std::to_string(*max + 1) + " elements", std::move(many), code);
            }
            Path item = p;
            item.push_back({"", 0});
            field(item, json_object_get(s, "items"), false);
        }
        if (types.count("object")) {
            if (!json_is_object(current))
                throw std::runtime_error(path_ + ": the example of " + def + " needs " + pathName(p));
            const json_t* req = json_object_get(s, "required");
            const char* key;
            const json_t* prop;
            json_object_foreach(const_cast<json_t*>(json_object_get(s, "properties")), key, prop) {
                if (p.empty() && std::string(key) == "request") continue;
                bool isRequired = false;
                size_t k;
                const json_t* v;
                json_array_foreach(req, k, v) isRequired |= std::string(json_string_value(v)) == key;
                Path child = p;
                child.push_back({key, -1});
                field(child, prop, isRequired);
            }
            // "one of these is required": all of them absent.
            const json_t* anyOf = json_object_get(s, "anyOf");
            if (json_array_size(anyOf) > 0) {
                JsonPtr without = jsonAdopt(json_deep_copy(example));
                std::string names;
                size_t k;
                const json_t* alt;
                json_array_foreach(anyOf, k, alt) {
                    size_t m;
                    const json_t* n;
                    json_array_foreach(json_object_get(alt, "required"), m, n) {
                        json_object_del(at(without.get(), p, p.size()), json_string_value(n));
                        names += std::string(names.empty() ? "" : "/") + json_string_value(n);
                    }
                }
                out.push_back({def + " " + (p.empty() ? "" : pathName(p) + " ") + names + " all absent",
                               std::move(without),
                               errc::kMissingField,
                               {}});
            }
        }
    };
    field({}, schema, false);
}

}  // namespace hipaa::test
