// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A minimal HTTP/1.1 server for Prometheus: GET /metrics only, one connection at a time (the next
// ones wait in the kernel's backlog, so at most one scrape asks the Admin API at once), the head of
// a request bounded in size, every connection bounded in time and closed after its answer. Bound to
// loopback unless the caller explicitly allows another address.
#include "ListenAddress.hpp"
#include "hipaa/UniqueFd.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace hipaa::metrics {

class MetricsServer {
public:
    struct Options {
        std::string listen = "127.0.0.1:9464";
        bool allowNonLoopback = false;
        size_t maxRequestBytes = 8192;  // a longer head is answered 431
        // Reading the request and writing the answer, together, per connection (not the scrape).
        std::chrono::milliseconds ioTimeout{5000};
    };
    // The body of a 200 answer to GET /metrics; an exception becomes 500 (its text is not sent).
    using Scrape = std::function<std::string()>;

    // Binds and listens. Throws std::invalid_argument for a bad or (unless allowed) non-loopback
    // address, std::runtime_error when the socket cannot be bound.
    MetricsServer(Options options, Scrape scrape);

    int port() const { return port_; }  // the bound port (useful with port 0)
    // Serves until stop(). Returns after the connection in hand (if any) is answered.
    void run();
    // Makes run() return; async-signal-safe (one write to an eventfd), callable from any thread.
    void stop() noexcept;

    // What a connection is answered: status line, headers and body.
    static std::string response(int status, std::string_view body);

private:
    void serve(int client);
    Options options_;
    Scrape scrape_;
    UniqueFd listen_, wake_;
    int port_ = 0;
};

}  // namespace hipaa::metrics
