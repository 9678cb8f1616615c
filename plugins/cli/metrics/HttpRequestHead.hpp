// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The head of an HTTP/1.x request to the exporter, reduced to the one answer it gets: only
// `GET /metrics` (a query string is ignored) is served. Headers are not interpreted; every
// connection is closed after its answer, so neither keep-alive nor a request body matter.
#include <string_view>

namespace hipaa::metrics {

class HttpRequestHead {
public:
    // Whether `received` holds a whole head (ends with an empty line). The head is the part before it.
    static bool complete(std::string_view received);
    // 200 (GET /metrics), 400 (not an HTTP/1.x request line), 404 (another path), 405 (another
    // method), 505 (another HTTP version).
    static int status(std::string_view head);
};

}  // namespace hipaa::metrics
