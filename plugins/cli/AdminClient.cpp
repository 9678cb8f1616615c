// SPDX-License-Identifier: GPL-3.0-or-later
#include "AdminClient.hpp"

#include "AdminError.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"

namespace hipaa::cli {
namespace {

using Buffer = std::vector<char, ZeroizingAllocator<char>>;

AdminError transport(const std::string& why) { return {AdminError::Kind::Transport, 0, why}; }

// The request body, dumped straight into memory we wipe afterwards (jsonDump would leave a copy of
// the secret in a freed jansson buffer).
Buffer dumpWiped(const json_t* body) {
    size_t n = json_dumpb(body, nullptr, 0, JSON_COMPACT);
    Buffer out(n);
    if (n == 0 || json_dumpb(body, out.data(), out.size(), JSON_COMPACT) != n)
        throw transport("cannot encode the request");
    return out;
}

std::string reasonOf(const json_t* error) {
    auto reason = jsonString(error, "reason");
    return reason ? std::string(*reason) : "no reason given";
}

}  // namespace

AdminClient::AdminClient(std::string adminUrl, std::string secret)
    : url_(AdminUrl::parse(std::move(adminUrl))),
      secret_(secret.begin(), secret.end()),
      curl_(url_.https() ? CurlEasy::Schemes::HttpsOnly : CurlEasy::Schemes::HttpAndHttps) {
    zeroize(secret.data(), secret.size());
    // Janus takes the secret as a JSON string: it must be valid UTF-8 to be sent at all.
    JsonPtr probe = jsonObject();
    bool ok = json_object_set_new(probe.get(), "s", json_stringn(secret_.data(), secret_.size())) == 0;
    zeroizeJsonString(probe.get(), "s");
    if (!ok || secret_.empty()) throw transport("the admin secret is empty or not UTF-8 text");
}

AdminClient::~AdminClient() = default;  // secret_'s allocator wipes it

void AdminClient::setTimeouts(long connectMs, long totalMs) {
    connectTimeoutMs_ = connectMs;
    timeoutMs_ = totalMs;
}

JsonPtr AdminClient::plugin(std::string_view plugin, const json_t* request) {
    return call("message_plugin", "plugin", plugin, request);
}

JsonPtr AdminClient::handler(std::string_view handler, const json_t* request) {
    return call("query_eventhandler", "handler", handler, request);
}

JsonPtr AdminClient::call(const char* janusRequest, const char* targetKey, std::string_view target,
                          const json_t* request) {
    if (!json_is_object(request)) throw transport("the request must be a JSON object");
    const std::string transaction = "janus-hipaa-" + hexEncode(secureRandomBytes(8));
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", janusRequest);
    jsonSet(body.get(), "transaction", std::string_view(transaction));
    jsonSet(body.get(), targetKey, target);
    jsonSet(body.get(), "request", jsonRetain(const_cast<json_t*>(request)));
    json_object_set_new(body.get(), "admin_secret", json_stringn(secret_.data(), secret_.size()));
    Buffer text = dumpWiped(body.get());
    zeroizeJsonString(body.get(), "admin_secret");

    HttpRequest req;
    req.method = "POST";
    req.url = url_.url();
    req.headers = {"Content-Type: application/json"};
    req.connectTimeoutMs = connectTimeoutMs_;
    req.timeoutMs = timeoutMs_;
    req.maxResponseBytes = kMaxAnswerBytes;
    req.body.assign(text.data(), text.size());
    HttpResponse resp;
    try {
        resp = curl_.perform(req);
    } catch (const HttpError& e) {
        zeroize(req.body.data(), req.body.size());
        throw transport(std::string("Admin API at ") + url_.url() + ": " + e.what());
    }
    zeroize(req.body.data(), req.body.size());
    if (resp.status != 200)
        throw AdminError(AdminError::Kind::Transport, static_cast<int>(resp.status),
                         "Admin API at " + url_.url() + " answered HTTP " + std::to_string(resp.status) +
                             " (is this Janus' Admin API? see admin_base_path in janus.transport.http.jcfg)");
    JsonPtr answer;
    try {
        answer = jsonParse(resp.body);
    } catch (const Error&) {
        throw transport("Admin API at " + url_.url() + ": the answer is not JSON");
    }
    if (jsonString(answer.get(), "transaction").value_or("") != transaction)
        throw transport("Admin API at " + url_.url() + ": the answer is not for this request");
    std::string_view janus = jsonString(answer.get(), "janus").value_or("");
    if (janus == "error") {
        const json_t* error = json_object_get(answer.get(), "error");
        throw AdminError(
            AdminError::Kind::Janus, static_cast<int>(jsonInt(error, "code").value_or(0)),
            "Janus refused " + std::string(janusRequest) + " to " + std::string(target) + ": " + reasonOf(error));
    }
    json_t* response = json_object_get(answer.get(), "response");
    if (janus != "success" || !json_is_object(response))
        throw transport("Admin API at " + url_.url() + ": no `response` in the answer");
    // The plugin's error envelope ("hipaa.<p>": "error", error_code, error; docs/error-codes.md).
    if (auto code = jsonInt(response, "error_code")) {
        std::string message(jsonString(response, "error").value_or("no message"));
        throw AdminError(AdminError::Kind::Plugin, static_cast<int>(*code),
                         std::string(target) + " refused: " + message + " (error_code " + std::to_string(*code) + ")",
                         std::shared_ptr<json_t>(json_incref(response), JsonDeleter{}));
    }
    return jsonRetain(response);
}

}  // namespace hipaa::cli
