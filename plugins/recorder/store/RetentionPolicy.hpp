// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Named retention policies from the .jcfg `policies` category, e.g. `standard = "2190d"`.
// A duration is a positive integer with a unit: d (days), h, m or s. A recording expires at
// (end of recording) + duration, inclusive: at that millisecond it is due for deletion.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace hipaa::recorder {

struct RetentionPolicy {
    std::string name;
    int64_t retainMs = 0;

    // Throws ConfigError naming `key` on a malformed duration.
    static int64_t parseDuration(const std::string& text, const std::string& key);
    int64_t expiresAt(int64_t endMs) const { return endMs + retainMs; }
    bool expired(int64_t endMs, int64_t nowMs) const { return nowMs >= expiresAt(endMs); }
};

using RetentionPolicies = std::map<std::string, RetentionPolicy>;

}  // namespace hipaa::recorder
