// SPDX-License-Identifier: GPL-3.0-or-later
#include "AdminUrl.hpp"

#include "AdminError.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <strings.h>

#include <memory>

namespace hipaa::cli {
namespace {

struct CurlUrlDeleter {
    void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
    void operator()(char* s) const noexcept { curl_free(s); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

AdminError refused(const std::string& why) { return {AdminError::Kind::Transport, 0, "--admin-url: " + why}; }

// The part of the URL as libcurl will use it (the same parser decides where the request goes); null
// when absent.
CurlString part(CURLU* u, CURLUPart which) {
    char* out = nullptr;
    if (curl_url_get(u, which, &out, 0) != CURLUE_OK) return nullptr;
    return CurlString(out);
}

}  // namespace

bool AdminUrl::loopbackHost(const std::string& host) {
    if (strcasecmp(host.c_str(), "localhost") == 0) return true;
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    std::string bare =
        host.size() > 2 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2) : host;
    in6_addr v6{};
    return ::inet_pton(AF_INET6, bare.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

AdminUrl AdminUrl::parse(std::string url) {
    std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
    if (!u) throw refused("out of memory");
    // No scheme guessing: "127.0.0.1:7088/admin" is refused rather than read as http.
    if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        throw refused("not a URL (expected http://127.0.0.1:7088/admin or https://HOST/admin)");
    CurlString scheme = part(u.get(), CURLUPART_SCHEME), host = part(u.get(), CURLUPART_HOST);
    if (part(u.get(), CURLUPART_USER) || part(u.get(), CURLUPART_PASSWORD))
        throw refused("no user name or password in the URL (the admin secret comes from --secret-file)");
    AdminUrl out;
    out.url_ = std::move(url);
    out.host_ = host ? host.get() : "";
    std::string s = scheme ? scheme.get() : "";
    if (s == "https") {
        out.https_ = true;
    } else if (s != "http") {
        throw refused("the scheme must be http (loopback only) or https");
    } else if (!loopbackHost(out.host_)) {
        throw refused("plain http only to a loopback address (127.0.0.1, ::1, localhost); " + out.host_ +
                      " needs https:// (the admin secret travels in the request)");
    }
    if (out.host_.empty()) throw refused("no host");
    return out;
}

}  // namespace hipaa::cli
