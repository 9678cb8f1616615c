#pragma once
// For these tests only (the janus-hipaa CLI brings its own AdminClient): the Admin API over HTTP on
// loopback with libcurl, in the shape MetricsCollector asks for. The admin secret comes from a 0600
// file, never from the command line.
#include "hipaa/CurlEasy.hpp"
#include "hipaa/Json.hpp"

#include <string>
#include <string_view>

namespace hipaa::metrics::test {

class AdminHttpFetch {
public:
    AdminHttpFetch(std::string adminUrl, const std::string& secretFile);
    // kind "plugin": message_plugin; "handler": query_eventhandler. Returns the answer's `response`;
    // throws std::runtime_error when Janus answers an error or does not answer.
    JsonPtr operator()(std::string_view kind, std::string_view name, const json_t* request);

private:
    std::string url_, secret_;
    CurlGlobal curlGlobal_;
    uint64_t transaction_ = 0;
};

}  // namespace hipaa::metrics::test
