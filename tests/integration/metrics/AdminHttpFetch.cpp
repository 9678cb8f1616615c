#include "AdminHttpFetch.hpp"

#include "hipaa/SecretFile.hpp"

#include <stdexcept>

namespace hipaa::metrics::test {

AdminHttpFetch::AdminHttpFetch(std::string adminUrl, const std::string& secretFile) : url_(std::move(adminUrl)) {
    Bytes secret = readSecretFile(secretFile);
    secret_.assign(secret.begin(), secret.end());
    while (!secret_.empty() && (secret_.back() == '\n' || secret_.back() == '\r' || secret_.back() == ' '))
        secret_.pop_back();
}

JsonPtr AdminHttpFetch::operator()(std::string_view kind, std::string_view name, const json_t* request) {
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", kind == "plugin" ? "message_plugin" : "query_eventhandler");
    jsonSet(body.get(), "transaction", "metrics-" + std::to_string(++transaction_));
    jsonSet(body.get(), "admin_secret", std::string_view(secret_));
    jsonSet(body.get(), kind == "plugin" ? "plugin" : "handler", name);
    jsonSet(body.get(), "request", jsonAdopt(json_deep_copy(request)));
    HttpRequest req;
    req.method = "POST";
    req.url = url_;
    req.headers = {"Content-Type: application/json"};
    req.body = jsonDump(body.get());
    req.connectTimeoutMs = 2000;
    req.timeoutMs = 5000;
    req.maxResponseBytes = 8u << 20;
    HttpResponse res = CurlEasy(CurlEasy::Schemes::HttpAndHttps).perform(req);
    if (res.status != 200) throw std::runtime_error("Admin API: HTTP " + std::to_string(res.status));
    JsonPtr answer = jsonParse(res.body);
    if (jsonString(answer.get(), "janus").value_or("") != "success") {
        const json_t* err = json_object_get(answer.get(), "error");
        throw std::runtime_error("Admin API: error " + std::to_string(jsonInt(err, "code").value_or(0)) + ": " +
                                 std::string(jsonString(err, "reason").value_or("")));
    }
    json_t* response = json_object_get(answer.get(), "response");
    if (!response) throw std::runtime_error("Admin API: no response");
    return jsonRetain(response);
}

}  // namespace hipaa::metrics::test
