// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/CurlEasy.hpp"

#include "hipaa/Errors.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

namespace hipaa {
namespace {

std::mutex gCurlMutex;
int gCurlUsers = 0;

struct SlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

constexpr size_t kMaxHeaderBytes = size_t{64} * 1024;

// Collects at most `max` bytes; returning less than it was given makes libcurl abort the transfer
// (CURLE_WRITE_ERROR), so a huge or endless answer never grows our memory.
struct Sink {
    std::string* body;
    size_t max;
    bool overflow = false;
};

struct HeaderSink {
    std::map<std::string, std::string>* headers;
    size_t total = 0;
    bool overflow = false;
};

size_t writeBody(char* data, size_t size, size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    size_t len = size * n;  // size is 1 (libcurl documents it)
    if (len > sink->max - sink->body->size()) {
        sink->overflow = true;
        return 0;
    }
    sink->body->append(data, len);
    return len;
}

size_t writeHeader(char* data, size_t size, size_t n, void* user) {
    auto* sink = static_cast<HeaderSink*>(user);
    sink->total += size * n;
    if (sink->total > kMaxHeaderBytes) {
        sink->overflow = true;
        return 0;
    }
    std::string line(data, size * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
        (*sink->headers)[name] = value;
    }
    return size * n;
}

}  // namespace

CurlGlobal::CurlGlobal() {
    std::lock_guard lock(gCurlMutex);
    if (gCurlUsers++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        --gCurlUsers;
        throw HttpError("curl_global_init failed", 0);
    }
}

CurlGlobal::~CurlGlobal() {
    std::lock_guard lock(gCurlMutex);
    if (--gCurlUsers == 0) curl_global_cleanup();
}

CurlEasy::CurlEasy(Schemes schemes) : curl_(curl_easy_init()), schemes_(schemes) {
    if (!curl_) throw HttpError("curl_easy_init failed", 0);
}

HttpResponse CurlEasy::perform(const HttpRequest& req) {
    CURL* c = curl_.get();
    curl_easy_reset(c);
    HttpResponse resp;
    curl_slist* list = nullptr;
    for (const auto& h : req.headers) {
        curl_slist* l = curl_slist_append(list, h.c_str());
        if (!l) {
            curl_slist_free_all(list);
            throw HttpError("out of memory", 0);
        }
        list = l;
    }
    std::unique_ptr<curl_slist, SlistDeleter> headers(list);
    curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    // PHI travels in these requests: https only, and a redirect is never followed (a 3xx is returned
    // as it is); the redirect list is set too in case that ever changes.
    const char* schemes = schemes_ == Schemes::HttpsOnly ? "https" : "https,http";
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, schemes);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, schemes);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.maxResponseBytes));
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, req.connectTimeoutMs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req.timeoutMs);
    if (!req.caBundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, req.caBundle.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    Sink body{&resp.body, req.maxResponseBytes};
    HeaderSink head{&resp.headers};
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &writeBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &writeHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
    CURLcode rc = curl_easy_perform(c);
    if (body.overflow || rc == CURLE_FILESIZE_EXCEEDED) {
        resp.body.clear();
        throw HttpError("HTTP response body larger than " + std::to_string(req.maxResponseBytes) + " bytes: refused",
                        0);
    }
    if (head.overflow)
        throw HttpError("HTTP response headers larger than " + std::to_string(kMaxHeaderBytes) + " bytes: refused", 0);
    if (rc != CURLE_OK) throw HttpError(std::string("HTTP transport error: ") + curl_easy_strerror(rc), 0);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
}

}  // namespace hipaa
