// janus-hipaa-metrics: the exporter as the tests run it, until the janus-hipaa CLI's `metrics`
// subcommand takes its place (not installed).
//   janus-hipaa-metrics --admin-url http://127.0.0.1:7088/admin --admin-secret-file FILE
//                       [--listen 127.0.0.1:9464] [--allow-non-loopback]
// Prints "listening on PORT" once bound; SIGINT/SIGTERM stop it (exit 0). Failed Admin API
// requests are printed to stderr when they change.
#include "AdminHttpFetch.hpp"
#include "MetricsCollector.hpp"
#include "MetricsServer.hpp"
#include "PrometheusText.hpp"

#include <csignal>
#include <iostream>

using namespace hipaa::metrics;

namespace {

MetricsServer* gServer = nullptr;

extern "C" void onSignal(int) {
    if (gServer) gServer->stop();  // async-signal-safe: one write to an eventfd
}

int usage() {
    std::cerr << "usage: janus-hipaa-metrics --admin-url URL --admin-secret-file FILE [--listen HOST:PORT] "
                 "[--allow-non-loopback]\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string url, secretFile;
    MetricsServer::Options options;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        bool hasValue = i + 1 < argc;
        if (a == "--admin-url" && hasValue)
            url = argv[++i];
        else if (a == "--admin-secret-file" && hasValue)
            secretFile = argv[++i];
        else if (a == "--listen" && hasValue)
            options.listen = argv[++i];
        else if (a == "--allow-non-loopback")
            options.allowNonLoopback = true;
        else
            return usage();
    }
    if (url.empty() || secretFile.empty()) return usage();
    try {
        test::AdminHttpFetch fetch(url, secretFile);
        MetricsCollector collector([&fetch](std::string_view kind, std::string_view name, const json_t* request) {
            return fetch(kind, name, request);
        });
        std::vector<std::string> lastErrors;
        MetricsServer server(options, [&] {
            MetricsCollector::Scrape scrape = collector.collect();
            if (scrape.errors != lastErrors) {
                for (const auto& e : scrape.errors) std::cerr << "metrics: " << e << "\n";
                lastErrors = scrape.errors;
            }
            return PrometheusText::render(scrape.families);
        });
        gServer = &server;
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        std::cout << "listening on " << server.port() << std::endl;
        server.run();
        gServer = nullptr;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "janus-hipaa-metrics: " << e.what() << "\n";
        return 1;
    }
}
