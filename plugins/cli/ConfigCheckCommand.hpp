// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `janus-hipaa check-config [--files] [--samples] DIR|FILE...`: prints one line per config (the file
// and the key that is wrong); exit 4 when one is invalid or none was found.
#include "CliArgs.hpp"

#include <ostream>

namespace hipaa::cli {

class ConfigCheckCommand {
public:
    static int run(const CliArgs& args, std::ostream& out, std::ostream& err, bool json);
};

}  // namespace hipaa::cli
