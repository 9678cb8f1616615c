// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `janus-hipaa metrics`: the Prometheus exporter (plugins/cli/metrics) over this tool's Admin API
// client, serving until SIGINT or SIGTERM.
#include "CommandContext.hpp"

#include <ostream>

namespace hipaa::cli {

class MetricsCommand {
public:
    // `err` gets the Admin API failures of a scrape when they change (never the scrape's text).
    static int run(const CommandContext& ctx, std::ostream& err);
};

}  // namespace hipaa::cli
