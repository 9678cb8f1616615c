// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Secrets (keys, key files, bearer tokens) come only from files that nobody but the owner can read
// or replace.
#include "hipaa/Bytes.hpp"
#include "hipaa/Errors.hpp"

#include <string>
#include <string_view>

namespace hipaa {

// Throws ConfigError unless all of these hold (like OpenSSH's StrictModes):
//  - `path` is a regular file, not a symlink;
//  - it is owned by the process' effective user or by root;
//  - group and others have no permission on it (mode 0600 or 0400);
//  - every folder above it (after resolving symlinked folders), up to /, is owned by the effective
//    user or by root and is not writable by group or others, unless it is sticky (like /tmp).
// The message names the path and what is wrong, never the content.
Bytes readSecretFile(const std::string& path);
// Like readSecretFile; trims trailing whitespace and accepts the key raw, as hex or as base64.
Bytes readSecretKeyFile(const std::string& path, size_t expectedSize);

// Runs `load`, which reads the secret file that config key `key` names; a ConfigError it throws is
// thrown again as "<key>: <message>", so the admin knows which key to fix.
template <class Load>
auto loadSecret(std::string_view key, Load&& load) -> decltype(load()) {
    try {
        return load();
    } catch (const ConfigError& e) {
        throw ConfigError(std::string(key) + ": " + e.what());
    }
}

}  // namespace hipaa
