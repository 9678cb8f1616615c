// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Typed, validating view of a parsed .jcfg. Every accessor records the effective value (secrets
// redacted) so `info` can show what the plugin really runs with; finish() rejects keys nobody read,
// so a typo fails init instead of being silently ignored. Errors name the key, never the value.
#include "hipaa/Json.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hipaa {

class Config {
public:
    explicit Config(JsonPtr tree, std::string name = "config");

    // `path` is "category.key". A missing key without a default throws ConfigError("<path>: required").
    std::string string(const std::string& path, std::optional<std::string> def = std::nullopt);
    std::string secretPath(const std::string& path, std::optional<std::string> def = std::nullopt);
    int64_t integer(const std::string& path, std::optional<int64_t> def, int64_t min, int64_t max);
    bool boolean(const std::string& path, std::optional<bool> def = std::nullopt);
    std::vector<std::string> stringList(const std::string& path, std::vector<std::string> def = {});
    // A value that is a secret itself (inline password): read, but shown as "<redacted>".
    std::string secret(const std::string& path, std::optional<std::string> def = std::nullopt);
    bool has(const std::string& path) const;
    // Categories present (e.g. room definitions), marked as read.
    std::vector<std::string> categories() const;
    // Marks a whole category as consumed by a custom reader.
    const json_t* category(const std::string& name);

    // Throws ConfigError naming the first key no accessor read.
    void finish() const;
    // {"category": {"key": effective value}} with secrets redacted.
    JsonPtr effective() const { return jsonRetain(effective_.get()); }
    const std::string& name() const { return name_; }
    // SHA-256 (hex) of each non-empty inline secret read, by path: lets the config change trail
    // (ConfigTrail) notice a changed secret that effective() shows only as "<redacted>".
    const std::map<std::string, std::string>& secretFingerprints() const { return secretFingerprints_; }

private:
    const json_t* lookup(const std::string& path) const;
    void record(const std::string& path, JsonPtr value);
    std::string readString(const std::string& path, const json_t* v) const;

    JsonPtr tree_;
    JsonPtr effective_;
    std::string name_;
    std::set<std::string> read_;
    std::map<std::string, std::string> secretFingerprints_;
};

}  // namespace hipaa
