// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A client of Janus' Admin API (message_plugin, query_eventhandler) for janus-hipaa and other tools
// (a metrics exporter). The admin secret is held in memory that is wiped when the client is destroyed
// and in no log, message or exception; plain http only to loopback (AdminUrl), verified TLS
// otherwise, a capped answer, connect and total timeouts, no redirects (common's CurlEasy).
//   AdminClient admin("http://127.0.0.1:7088/admin", secret);
//   JsonPtr info = admin.plugin("janus.plugin.hipaa.room", request);   // the answer's `response`
#include "AdminApi.hpp"
#include "AdminUrl.hpp"

#include "hipaa/CurlEasy.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/Zeroize.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hipaa::cli {

class AdminClient final : public AdminApi {
public:
    // Answers larger than this are refused (an audit export of 1000 records is a few MB).
    static constexpr size_t kMaxAnswerBytes = size_t{16} << 20;

    // Throws AdminError (Transport) when the URL is refused (AdminUrl) or the secret is empty or not
    // UTF-8. `secret` is wiped here after it is copied.
    AdminClient(std::string adminUrl, std::string secret);
    ~AdminClient() override;
    AdminClient(const AdminClient&) = delete;
    AdminClient& operator=(const AdminClient&) = delete;

    // The `response` of a successful answer. Throws AdminError: Transport (no usable answer), Janus
    // (Janus refused: 403 wrong admin secret, 460 no such plugin ...) or Plugin (the plugin's
    // `error_code`; AdminError::response() holds its answer).
    JsonPtr plugin(std::string_view plugin, const json_t* request) override;
    JsonPtr handler(std::string_view handler, const json_t* request) override;

    // Defaults: 3 s to connect, 60 s for the whole answer (an audit verify or a recording export runs
    // on Janus' admin thread while we wait).
    void setTimeouts(long connectMs, long totalMs);

private:
    JsonPtr call(const char* janusRequest, const char* targetKey, std::string_view target, const json_t* request);

    AdminUrl url_;
    std::vector<char, ZeroizingAllocator<char>> secret_;
    CurlGlobal curlGlobal_;
    CurlEasy curl_;  // https only for an https:// URL; http too for a loopback one
    long connectTimeoutMs_ = 3000, timeoutMs_ = 60000;
};

}  // namespace hipaa::cli
