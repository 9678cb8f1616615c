// SPDX-License-Identifier: GPL-3.0-or-later
#include "FhirClient.hpp"

#include "OutcomeFilter.hpp"

#include "hipaa/Errors.hpp"

namespace hipaa::fhir {
namespace {

// "Encounter/123/_history/2" or an absolute URL -> "Encounter/123".
std::string resourceId(std::string_view location) {
    auto hist = location.find("/_history");
    if (hist != std::string_view::npos) location = location.substr(0, hist);
    auto last = location.rfind('/');
    if (last == std::string_view::npos || last == 0) return std::string(location);
    auto prev = location.rfind('/', last - 1);
    return std::string(prev == std::string_view::npos ? location : location.substr(prev + 1));
}

}  // namespace

FhirClient::FhirClient(Options options, std::unique_ptr<FhirAuth> auth)
    : options_(std::move(options)), auth_(std::move(auth)) {
    while (!options_.baseUrl.empty() && options_.baseUrl.back() == '/') options_.baseUrl.pop_back();
    if (options_.baseUrl.rfind("https://", 0) != 0) throw ConfigError("base_url must start with https://");
}

HttpResponse FhirClient::post(const std::string& body) {
    HttpRequest req;
    req.method = "POST";
    req.url = options_.baseUrl;
    req.caBundle = options_.caBundle;
    req.connectTimeoutMs = options_.connectTimeoutMs;
    req.timeoutMs = options_.timeoutMs;
    req.headers = {"Content-Type: application/fhir+json", "Accept: application/fhir+json", "Prefer: return=minimal"};
    if (auto h = auth_->header(curl_)) req.headers.push_back(*h);
    req.body = body;
    return curl_.perform(req);
}

HttpResponse FhirClient::get(const std::string& path) {
    HttpRequest req;
    req.url = options_.baseUrl + "/" + path;
    req.caBundle = options_.caBundle;
    req.connectTimeoutMs = options_.connectTimeoutMs;
    req.timeoutMs = options_.timeoutMs;
    req.headers = {"Accept: application/fhir+json"};
    if (auto h = auth_->header(curl_)) req.headers.push_back(*h);
    return curl_.perform(req);
}

SendResult FhirClient::sendTransaction(const std::string& bundleJson) {
    SendResult r;
    HttpResponse resp;
    try {
        resp = post(bundleJson);
        if (resp.status == 401) {  // token revoked or expired early: one fresh token, one more try
            auth_->invalidate();
            resp = post(bundleJson);
        }
    } catch (const HttpError& e) {
        r.kind = SendResult::Kind::Retry;
        r.status = e.status();
        r.error = e.what();
        return r;
    }
    r.status = resp.status;
    JsonPtr body;
    try {
        if (!resp.body.empty()) body = jsonParse(resp.body);
    } catch (const Error&) {
        body = nullptr;
    }
    if (resp.status >= 200 && resp.status < 300) {
        r.kind = SendResult::Kind::Sent;
        size_t i;
        json_t* e;
        json_array_foreach(json_object_get(body.get(), "entry"), i, e) {
            auto loc = jsonString(json_object_get(e, "response"), "location");
            if (loc) r.resourceIds.push_back(resourceId(*loc));
        }
        return r;
    }
    bool retryable =
        resp.status == 401 || resp.status == 408 || resp.status == 429 || resp.status >= 500 || resp.status < 400;
    r.outcome = OutcomeFilter::phiFree(body.get());
    if (!retryable && r.outcome) {
        r.kind = SendResult::Kind::Dead;
        r.error = "rejected by the FHIR server (HTTP " + std::to_string(resp.status) + ")";
    } else {
        r.kind = SendResult::Kind::Retry;
        r.error = "HTTP " + std::to_string(resp.status);
    }
    return r;
}

}  // namespace hipaa::fhir
