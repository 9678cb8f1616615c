#pragma once
// libcurl easy handle with safe defaults: TLS verification always on (no option turns it off),
// CURLOPT_NOSIGNAL, hard connect and total timeouts, HTTP/2 over TLS where the server offers it.
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

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;
    long connectTimeoutMs = 5000;
    long timeoutMs = 15000;
    std::string caBundle;  // empty: system store
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
    CurlEasy();
    // Throws HttpError(status 0) on a transport failure (DNS, TLS, timeout); HTTP errors are returned.
    HttpResponse perform(const HttpRequest& request);

private:
    std::unique_ptr<CURL, CurlEasyDeleter> curl_;
};

}  // namespace hipaa
