// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricsCommand.hpp"

#include "AdminError.hpp"
#include "ExitCode.hpp"
#include "MetricsCollector.hpp"
#include "MetricsServer.hpp"
#include "PrometheusText.hpp"

#include <atomic>
#include <csignal>
#include <stdexcept>

namespace hipaa::cli {
namespace {

// The server a signal stops; stop() is async-signal-safe (one eventfd write).
std::atomic<metrics::MetricsServer*> gServer{nullptr};

extern "C" void stopOnSignal(int) {
    if (auto* server = gServer.load()) server->stop();
}

}  // namespace

int MetricsCommand::run(const CommandContext& ctx, std::ostream& err) {
    ctx.args.allowOnly({"--listen", "--allow-non-loopback"});
    metrics::MetricsServer::Options options;
    options.listen = ctx.args.value("--listen").value_or(options.listen);
    options.allowNonLoopback = ctx.args.has("--allow-non-loopback");

    AdminApi& api = ctx.api;
    metrics::MetricsCollector collector(
        [&api](std::string_view kind, std::string_view name, const json_t* request) -> JsonPtr {
            try {
                return kind == "plugin" ? api.plugin(name, request) : api.handler(name, request);
            } catch (const AdminError& e) {
                // A plugin's error answer goes to the collector, which reads its envelope and code.
                if (e.kind() == AdminError::Kind::Plugin && e.response())
                    return jsonRetain(const_cast<json_t*>(e.response()));
                throw;
            }
        });
    std::vector<std::string> lastErrors;
    std::unique_ptr<metrics::MetricsServer> server;
    try {
        server = std::make_unique<metrics::MetricsServer>(options, [&] {
            metrics::MetricsCollector::Scrape scrape = collector.collect();
            if (scrape.errors != lastErrors) {  // once per change, not at every scrape
                for (const auto& e : scrape.errors) err << "janus-hipaa metrics: " << e << '\n';
                lastErrors = scrape.errors;
            }
            return metrics::PrometheusText::render(scrape.families);
        });
    } catch (const std::invalid_argument& e) {
        err << "janus-hipaa metrics: --listen: " << e.what() << '\n';
        return exitcode::kUsage;
    }
    gServer = server.get();
    std::signal(SIGINT, stopOnSignal);
    std::signal(SIGTERM, stopOnSignal);
    ctx.out << "listening on " << server->port() << std::endl;  // tests and scripts wait for this line
    server->run();
    gServer = nullptr;
    return exitcode::kOk;
}

}  // namespace hipaa::cli
