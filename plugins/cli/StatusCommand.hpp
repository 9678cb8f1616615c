// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `janus-hipaa status`: the four plugins' info, stats and health in one table (exit 5 when one is not
// loaded, not running or not healthy).
#include "CommandContext.hpp"

namespace hipaa::cli {

class StatusCommand {
public:
    static int run(const CommandContext& ctx);
};

}  // namespace hipaa::cli
