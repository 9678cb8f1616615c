// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// libcurl easy handle with safe defaults: https only (plain http only where asked for, see Schemes),
// TLS verification always on (no option turns it off), redirects never followed, a capped response
// body, CURLOPT_NOSIGNAL, hard connect and total timeouts, HTTP/2 over TLS where the server offers it.
#include <curl/curl.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hipaa {

// Refcounted curl_global_init/cleanup: every plugin holds one while it lives.
class CurlGlobal {
public:
    CurlGlobal();
    ~CurlGlobal();
    CurlGlobal(const CurlGlobal&) = delete;
    CurlGlobal& operator=(const CurlGlobal&) = delete;
};

// The default cap of a response body (HttpRequest::maxResponseBytes): 1 MiB. A FHIR
// transaction-response (Prefer: return=minimal), an OperationOutcome or a token answer is a few KB.
inline constexpr size_t kHttpMaxResponseBytes = size_t{1} << 20;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;
    long connectTimeoutMs = 5000;
    long timeoutMs = 15000;
    std::string caBundle;  // empty: system store
    // A larger body (or more than 64 KiB of headers) aborts the transfer with an HttpError.
    size_t maxResponseBytes = kHttpMaxResponseBytes;
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
};

struct CurlEasyDeleter {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};

class CurlEasy {
public:
    enum class Schemes {
        HttpsOnly,     // the plugins: an http:// URL is refused before anything is sent
        HttpAndHttps,  // tests and tools talking to Janus' own HTTP API on loopback
    };
    explicit CurlEasy(Schemes schemes = Schemes::HttpsOnly);
    // Throws HttpError(status 0) on a transport failure (DNS, TLS, timeout, a refused scheme, a
    // response over the cap); HTTP errors (and redirects, which are not followed) are returned.
    HttpResponse perform(const HttpRequest& request);

private:
    std::unique_ptr<CURL, CurlEasyDeleter> curl_;
    Schemes schemes_;
};

}  // namespace hipaa
