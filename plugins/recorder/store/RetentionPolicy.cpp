// SPDX-License-Identifier: GPL-3.0-or-later
#include "RetentionPolicy.hpp"

#include "hipaa/Errors.hpp"

namespace hipaa::recorder {

int64_t RetentionPolicy::parseDuration(const std::string& text, const std::string& key) {
    if (text.size() < 2) throw ConfigError(key + ": duration must look like 30d, 12h, 15m or 90s");
    char unit = text.back();
    int64_t scale = unit == 'd' ? 86'400'000 : unit == 'h' ? 3'600'000 : unit == 'm' ? 60'000 : unit == 's' ? 1000 : 0;
    std::string digits = text.substr(0, text.size() - 1);
    if (scale == 0 || digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
        throw ConfigError(key + ": duration must look like 30d, 12h, 15m or 90s");
    int64_t n = std::stoll(digits);
    if (n <= 0) throw ConfigError(key + ": duration must be positive");
    return n * scale;
}

}  // namespace hipaa::recorder
