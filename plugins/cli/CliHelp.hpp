// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The text of `janus-hipaa help` and `janus-hipaa help COMMAND` (also `COMMAND --help`).
#include <optional>
#include <string>

namespace hipaa::cli {

class CliHelp {
public:
    static std::string overview();
    // nullopt when `command` is not one.
    static std::optional<std::string> command(const std::string& command);
};

}  // namespace hipaa::cli
