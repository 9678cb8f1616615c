// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The second scrubbing pass: identifiers hidden inside strings the policy keeps (a room description
// with a phone number, a plugin event quoting an email). Each hit is replaced by a fixed tag:
// [url] [email] [ip] [ssn] [date] [phone] [id]. One PCRE2 (JIT) pattern, alternatives tried left to
// right at each position; IP candidates are validated with inet_pton so "999.1.2.3" stays.
// Not thread-safe (owns its match data): one instance per thread.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace hipaa::audit {

class PatternScrubber {
public:
    PatternScrubber();
    ~PatternScrubber();
    PatternScrubber(const PatternScrubber&) = delete;
    PatternScrubber& operator=(const PatternScrubber&) = delete;

    // Returns true (and rewrites `text`) when something was replaced; `replaced` counts the hits.
    bool scrub(std::string& text, size_t* replaced = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hipaa::audit
