// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One scrape: asks each of the four plugins what it needs through the Admin API (fetch) and turns
// the answers into samples. A plugin that does not answer `info` shows janus_hipaa_up{plugin} 0 and
// nothing else of its own; the scrape itself never fails for it.
#include "MetricFamily.hpp"
#include "PluginAdmin.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace hipaa::metrics {

class MetricsCollector {
public:
    using Fetch = PluginAdmin::Fetch;
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    struct Scrape {
        std::vector<MetricFamily> families;  // PrometheusText::render them
        // "<plugin> <request>: <what failed>" for the requests that failed (for the exporter's log;
        // the plugins' error texts carry no PHI, and nothing of this reaches the metrics).
        std::vector<std::string> errors;
    };

    explicit MetricsCollector(Fetch fetch, Clock clock = std::chrono::steady_clock::now);
    Scrape collect() const;

private:
    Fetch fetch_;
    Clock clock_;
};

}  // namespace hipaa::metrics
