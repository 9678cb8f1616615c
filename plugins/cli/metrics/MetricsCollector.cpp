// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricsCollector.hpp"

#include "MetricCatalog.hpp"
#include "PluginMetrics.hpp"

namespace hipaa::metrics {
namespace {

struct Plugin {
    PluginId id;
    void (*metrics)(PluginAdmin&, const json_t*, MetricSet&);
};

const Plugin kPlugins[] = {
    {{"room", "plugin", "janus.plugin.hipaa.room", "hipaa.room"}, &roomMetrics},
    {{"recorder", "plugin", "janus.plugin.hipaa.recorder", "hipaa.recorder"}, &recorderMetrics},
    {{"audit", "handler", "janus.eventhandler.hipaa.audit", "hipaa.audit"}, &auditMetrics},
    {{"fhir", "handler", "janus.eventhandler.hipaa.fhir", "hipaa.fhir"}, &fhirMetrics},
};

}  // namespace

MetricsCollector::MetricsCollector(Fetch fetch, Clock clock) : fetch_(std::move(fetch)), clock_(std::move(clock)) {}

MetricsCollector::Scrape MetricsCollector::collect() const {
    auto start = clock_();
    MetricSet out;
    Scrape scrape;
    for (const Plugin& p : kPlugins) {
        PluginAdmin admin(fetch_, p.id, out, scrape.errors);
        std::string label(p.id.label);
        JsonPtr info = admin.ask("info");
        out.set("janus_hipaa_up", {{"plugin", label}}, info ? 1 : 0);
        if (!info) continue;
        std::string version =
            MetricCatalog::fold("janus_hipaa_build_info", "version", jsonString(info.get(), "version").value_or(""));
        out.set("janus_hipaa_build_info", {{"plugin", label}, {"version", version}}, 1);
        p.metrics(admin, info.get(), out);
    }
    std::chrono::duration<double> took = clock_() - start;
    out.set("janus_hipaa_scrape_duration_seconds", {}, took.count());
    scrape.families = out.families();
    return scrape;
}

}  // namespace hipaa::metrics
