// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Config.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"

#include <cerrno>
#include <cstdlib>

namespace hipaa {
namespace {

std::pair<std::string, std::string> split(const std::string& path) {
    auto dot = path.find('.');
    if (dot == std::string::npos) return {"general", path};
    return {path.substr(0, dot), path.substr(dot + 1)};
}

}  // namespace

Config::Config(JsonPtr tree, std::string name)
    : tree_(tree ? std::move(tree) : jsonObject()), effective_(jsonObject()), name_(std::move(name)) {
    if (!json_is_object(tree_.get())) throw ConfigError(name_ + ": top level must be a group");
}

const json_t* Config::lookup(const std::string& path) const {
    auto [cat, key] = split(path);
    const json_t* c = json_object_get(tree_.get(), cat.c_str());
    if (!c) return nullptr;
    if (!json_is_object(c)) throw ConfigError(name_ + ": " + cat + ": must be a group");
    return json_object_get(c, key.c_str());
}

bool Config::has(const std::string& path) const { return lookup(path) != nullptr; }

void Config::record(const std::string& path, JsonPtr value) {
    auto [cat, key] = split(path);
    read_.insert(path);
    json_t* c = json_object_get(effective_.get(), cat.c_str());
    if (!c) {
        c = json_object();
        json_object_set_new(effective_.get(), cat.c_str(), c);
    }
    json_object_set_new(c, key.c_str(), value.release());
}

std::string Config::readString(const std::string& path, const json_t* v) const {
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) return std::to_string(json_integer_value(v));
    throw ConfigError(name_ + ": " + path + ": must be a string");
}

std::string Config::string(const std::string& path, std::optional<std::string> def) {
    const json_t* v = lookup(path);
    std::string out;
    if (!v) {
        if (!def) throw ConfigError(name_ + ": " + path + ": required");
        out = *def;
    } else {
        out = readString(path, v);
    }
    record(path, jsonAdopt(json_string(out.c_str())));
    return out;
}

std::string Config::secretPath(const std::string& path, std::optional<std::string> def) {
    // A path to a secret is not secret itself, and admins need to see it to debug permissions.
    return string(path, std::move(def));
}

std::string Config::secret(const std::string& path, std::optional<std::string> def) {
    const json_t* v = lookup(path);
    std::string out;
    if (!v) {
        if (!def) throw ConfigError(name_ + ": " + path + ": required");
        out = *def;
    } else {
        out = readString(path, v);
    }
    record(path, jsonAdopt(json_string(out.empty() ? "" : "<redacted>")));
    if (!out.empty()) secretFingerprints_[path] = hexEncode(sha256(asBytes(out)));
    return out;
}

int64_t Config::integer(const std::string& path, std::optional<int64_t> def, int64_t min, int64_t max) {
    const json_t* v = lookup(path);
    int64_t out = 0;
    if (!v) {
        if (!def) throw ConfigError(name_ + ": " + path + ": required");
        out = *def;
    } else if (json_is_integer(v)) {
        out = json_integer_value(v);
    } else if (json_is_string(v)) {
        const char* s = json_string_value(v);
        char* end = nullptr;
        errno = 0;
        long long parsed = std::strtoll(s, &end, 10);
        if (*s == '\0' || *end != '\0' || errno != 0) throw ConfigError(name_ + ": " + path + ": must be an integer");
        out = parsed;
    } else {
        throw ConfigError(name_ + ": " + path + ": must be an integer");
    }
    if (out < min || out > max)
        throw ConfigError(name_ + ": " + path + ": must be between " + std::to_string(min) + " and " +
                          std::to_string(max));
    record(path, jsonAdopt(json_integer(out)));
    return out;
}

bool Config::boolean(const std::string& path, std::optional<bool> def) {
    const json_t* v = lookup(path);
    bool out = false;
    if (!v) {
        if (!def) throw ConfigError(name_ + ": " + path + ": required");
        out = *def;
    } else if (json_is_boolean(v)) {
        out = json_is_true(v);
    } else if (json_is_string(v)) {
        std::string s = json_string_value(v);
        if (s == "true" || s == "yes" || s == "1")
            out = true;
        else if (s == "false" || s == "no" || s == "0")
            out = false;
        else
            throw ConfigError(name_ + ": " + path + ": must be true or false");
    } else {
        throw ConfigError(name_ + ": " + path + ": must be true or false");
    }
    record(path, jsonAdopt(json_boolean(out)));
    return out;
}

std::vector<std::string> Config::stringList(const std::string& path, std::vector<std::string> def) {
    const json_t* v = lookup(path);
    std::vector<std::string> out;
    if (!v) {
        out = std::move(def);
    } else if (json_is_array(v)) {
        size_t i;
        json_t* item;
        json_array_foreach(v, i, item) {
            if (!json_is_string(item)) throw ConfigError(name_ + ": " + path + ": must be a list of strings");
            out.emplace_back(json_string_value(item));
        }
    } else if (json_is_string(v)) {
        // "a,b,c" as Janus' own configs write lists.
        std::string s = json_string_value(v), cur;
        for (char c : s) {
            if (c == ',') {
                if (!cur.empty()) out.push_back(cur);
                cur.clear();
            } else if (c != ' ') {
                cur.push_back(c);
            }
        }
        if (!cur.empty()) out.push_back(cur);
    } else {
        throw ConfigError(name_ + ": " + path + ": must be a list of strings");
    }
    JsonPtr arr = jsonArray();
    for (const auto& s : out) json_array_append_new(arr.get(), json_string(s.c_str()));
    record(path, std::move(arr));
    return out;
}

std::vector<std::string> Config::categories() const {
    std::vector<std::string> out;
    const char* key;
    json_t* v;
    json_object_foreach(tree_.get(), key, v) out.emplace_back(key);
    return out;
}

const json_t* Config::category(const std::string& name) {
    const json_t* c = json_object_get(tree_.get(), name.c_str());
    if (c && !json_is_object(c)) throw ConfigError(name_ + ": " + name + ": must be a group");
    read_.insert(name + ".*");
    return c;
}

void Config::finish() const {
    const char* cat;
    json_t* c;
    json_object_foreach(tree_.get(), cat, c) {
        if (read_.count(std::string(cat) + ".*")) continue;
        if (!json_is_object(c)) throw ConfigError(name_ + ": " + cat + ": unknown setting");
        const char* key;
        json_t* v;
        json_object_foreach(c, key, v) {
            std::string path = std::string(cat) + "." + key;
            if (!read_.count(path)) throw ConfigError(name_ + ": " + path + ": unknown setting");
        }
    }
}

}  // namespace hipaa
