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

size_t writeBody(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

size_t writeHeader(char* data, size_t size, size_t n, void* user) {
    std::string line(data, size * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
        (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
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

CurlEasy::CurlEasy() : curl_(curl_easy_init()) {
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
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
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
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &writeBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &writeHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) throw HttpError(std::string("HTTP transport error: ") + curl_easy_strerror(rc), 0);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
}

}  // namespace hipaa
