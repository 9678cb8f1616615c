// SPDX-License-Identifier: GPL-3.0-or-later
#include "SmartBackendAuth.hpp"

#include "hipaa/Clock.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

#include <curl/curl.h>
#include <openssl/crypto.h>

namespace hipaa::fhir {

SmartBackendAuth::SmartBackendAuth(ClientAssertion assertion, Options options)
    : assertion_(std::move(assertion)), options_(std::move(options)) {
    if (options_.tokenUrl.rfind("https://", 0) != 0) throw ConfigError("smart token_url must start with https://");
}

SmartBackendAuth::~SmartBackendAuth() { OPENSSL_cleanse(header_.data(), header_.size()); }

void SmartBackendAuth::fetch(CurlEasy& curl) {
    HttpRequest req;
    req.method = "POST";
    req.url = options_.tokenUrl;
    req.caBundle = options_.caBundle;
    req.connectTimeoutMs = options_.connectTimeoutMs;
    req.timeoutMs = options_.timeoutMs;
    req.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
    int64_t now = Clock::wallSeconds();
    req.body = "grant_type=client_credentials&scope=" + percentEncode(options_.scope) +
               "&client_assertion_type=" + percentEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
               "&client_assertion=" + assertion_.sign(now);
    HttpResponse resp = curl.perform(req);
    if (resp.status != 200) throw HttpError("token endpoint answered " + std::to_string(resp.status), resp.status);
    JsonPtr body;
    try {
        body = jsonParse(resp.body);
    } catch (const Error&) {
        throw HttpError("token endpoint answered no JSON", resp.status);
    }
    auto token = jsonString(body.get(), "access_token");
    if (!token || token->empty()) throw HttpError("token endpoint answered no access_token", resp.status);
    for (char c : *token)
        if (c < 0x21 || c > 0x7e) throw HttpError("token endpoint answered an unusable access_token", resp.status);
    int64_t expiresIn = jsonInt(body.get(), "expires_in").value_or(300);
    OPENSSL_cleanse(header_.data(), header_.size());
    header_ = "Authorization: Bearer " + std::string(*token);
    // Refresh ahead of expiry, but never cache for less than a few seconds (short-lived test tokens).
    int64_t cacheFor =
        std::max<int64_t>(expiresIn - options_.refreshMarginSeconds, std::min<int64_t>(expiresIn / 2, 5));
    expires_ = std::chrono::steady_clock::now() + std::chrono::seconds(cacheFor);
    ++fetched_;
    std::string& b = resp.body;
    OPENSSL_cleanse(b.data(), b.size());
}

std::optional<std::string> SmartBackendAuth::header(CurlEasy& curl) {
    if (header_.empty() || std::chrono::steady_clock::now() >= expires_) fetch(curl);
    return header_;
}

}  // namespace hipaa::fhir
