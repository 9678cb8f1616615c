// SPDX-License-Identifier: GPL-3.0-or-later
#include "JanusClient.hpp"

#include "AnswerLog.hpp"
#include "JanusProcess.hpp"
#include "hipaa/Errors.hpp"

#include <stdexcept>

namespace hipaa::test {

JsonPtr J(const std::string& text) { return jsonParse(text); }

JanusClient::JanusClient(const JanusProcess& janus)
    : httpUrl_(janus.httpUrl()), adminUrl_(janus.adminUrl()), adminSecret_(janus.adminSecret()) {}

std::string JanusClient::tx() { return "t" + std::to_string(++counter_); }

JsonPtr JanusClient::post(const std::string& url, const json_t* body, long timeoutMs) {
    HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.body = jsonDump(body);
    req.headers = {"Content-Type: application/json"};
    req.timeoutMs = timeoutMs;
    req.connectTimeoutMs = 2000;
    req.maxResponseBytes = size_t{1} << 30;  // tests read whole audit exports
    HttpResponse r = curl_.perform(req);
    if (r.status != 200) throw std::runtime_error("HTTP " + std::to_string(r.status) + " from " + url);
    return jsonParse(r.body);
}

JsonPtr JanusClient::get(const std::string& url, long timeoutMs) {
    HttpRequest req;
    req.url = url;
    req.timeoutMs = timeoutMs;
    req.maxResponseBytes = size_t{1} << 30;
    HttpResponse r = curl_.perform(req);
    if (r.status != 200) throw std::runtime_error("HTTP " + std::to_string(r.status) + " from " + url);
    return jsonParse(r.body);
}

static void expectSuccess(const json_t* reply, const char* what) {
    auto janus = jsonString(reply, "janus");
    if (!janus || (*janus != "success" && *janus != "ack"))
        throw std::runtime_error(std::string(what) + " failed: " + jsonDump(reply));
}

uint64_t JanusClient::createSession() {
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", "create");
    jsonSet(body.get(), "transaction", tx());
    JsonPtr r = post(httpUrl_, body.get());
    expectSuccess(r.get(), "create");
    return static_cast<uint64_t>(json_integer_value(json_object_get(json_object_get(r.get(), "data"), "id")));
}

void JanusClient::destroySession(uint64_t session) {
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", "destroy");
    jsonSet(body.get(), "transaction", tx());
    expectSuccess(post(httpUrl_ + "/" + std::to_string(session), body.get()).get(), "destroy");
}

uint64_t JanusClient::attach(uint64_t session, const std::string& plugin, const std::string& opaqueId) {
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", "attach");
    jsonSet(body.get(), "plugin", plugin);
    if (!opaqueId.empty()) jsonSet(body.get(), "opaque_id", opaqueId);
    jsonSet(body.get(), "transaction", tx());
    JsonPtr r = post(httpUrl_ + "/" + std::to_string(session), body.get());
    expectSuccess(r.get(), "attach");
    auto handle = static_cast<uint64_t>(json_integer_value(json_object_get(json_object_get(r.get(), "data"), "id")));
    plugins_[handle] = plugin;
    return handle;
}

void JanusClient::detach(uint64_t session, uint64_t handle) {
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", "detach");
    jsonSet(body.get(), "transaction", tx());
    expectSuccess(post(httpUrl_ + "/" + std::to_string(session) + "/" + std::to_string(handle), body.get()).get(),
                  "detach");
}

JsonPtr JanusClient::message(uint64_t session, uint64_t handle, const json_t* msg, const json_t* jsep) {
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", "message");
    const std::string t = tx();
    jsonSet(body.get(), "transaction", t);
    json_object_set(body.get(), "body", const_cast<json_t*>(msg));
    if (jsep) json_object_set(body.get(), "jsep", const_cast<json_t*>(jsep));
    JsonPtr reply = post(httpUrl_ + "/" + std::to_string(session) + "/" + std::to_string(handle), body.get());
    if (AnswerLog::enabled()) logMessage(session, handle, t, msg, reply.get());
    return reply;
}

// Sessions as strings: Janus' 64-bit ids do not fit a JavaScript number.
void JanusClient::logMessage(uint64_t session, uint64_t handle, const std::string& t, const json_t* msg,
                             const json_t* reply) {
    auto plugin = plugins_.find(handle);
    JsonPtr r = jsonObject();
    jsonSet(r.get(), "api", "message");
    jsonSet(r.get(), "plugin", plugin == plugins_.end() ? std::string() : plugin->second);
    jsonSet(r.get(), "session", std::to_string(session));
    jsonSet(r.get(), "transaction", t);
    json_object_set(r.get(), "request", const_cast<json_t*>(msg));
    // A synchronous answer; otherwise the answer comes as the event with this transaction.
    if (json_t* data = json_object_get(json_object_get(reply, "plugindata"), "data"))
        json_object_set(r.get(), "answer", data);
    AnswerLog::write(r.get());
}

void JanusClient::logEvent(uint64_t session, const json_t* event) {
    const json_t* pd = json_object_get(event, "plugindata");
    if (!json_object_get(pd, "data")) return;
    JsonPtr r = jsonObject();
    jsonSet(r.get(), "api", "event");
    jsonSet(r.get(), "plugin", std::string(jsonString(pd, "plugin").value_or("")));
    jsonSet(r.get(), "session", std::to_string(session));
    if (auto t = jsonString(event, "transaction")) jsonSet(r.get(), "transaction", std::string(*t));
    json_object_set(r.get(), "answer", json_object_get(pd, "data"));
    AnswerLog::write(r.get());
}

JsonPtr JanusClient::messageData(uint64_t session, uint64_t handle, const json_t* msg) {
    JsonPtr r = message(session, handle, msg);
    json_t* data = json_object_get(json_object_get(r.get(), "plugindata"), "data");
    if (!data) throw std::runtime_error("no plugindata in reply: " + jsonDump(r.get()));
    return jsonRetain(data);
}

JsonPtr JanusClient::waitEvent(uint64_t session, const std::function<bool(const json_t*)>& pred,
                               std::chrono::milliseconds timeout) {
    for (const auto& e : seen_)
        if (pred(e.get())) return jsonRetain(e.get());
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        // Janus holds a long poll up to 30 s: bound it by what is left of our timeout.
        std::string url = httpUrl_ + "/" + std::to_string(session) + "?maxev=10&rid=" + tx();
        JsonPtr r;
        try {
            r = get(url, std::max<long>(500, static_cast<long>(left.count())));
        } catch (const HttpError&) {
            continue;  // timed out waiting: loop re-checks the deadline
        }
        auto handle = [&](json_t* e) -> JsonPtr {
            seen_.push_back(jsonRetain(e));
            if (AnswerLog::enabled()) logEvent(session, e);
            return pred(e) ? jsonRetain(e) : nullptr;
        };
        JsonPtr found;
        if (json_is_array(r.get())) {
            size_t i;
            json_t* e;
            json_array_foreach(r.get(), i, e) if (JsonPtr m = handle(e); m && !found) found = std::move(m);
        } else if (JsonPtr m = handle(r.get())) {
            found = std::move(m);
        }
        if (found) return found;
    }
    return nullptr;
}

JsonPtr JanusClient::admin(JsonPtr body) {
    jsonSet(body.get(), "transaction", tx());
    jsonSet(body.get(), "admin_secret", adminSecret_);
    return post(adminUrl_, body.get());
}

JsonPtr JanusClient::adminInfo() {
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", "info");
    JsonPtr r = admin(std::move(body));
    if (jsonString(r.get(), "janus").value_or("") != "server_info") throw std::runtime_error("admin info failed");
    return r;
}

static JsonPtr responseOf(JsonPtr r, const char* what, const std::string& target, const json_t* request) {
    if (jsonString(r.get(), "janus").value_or("") != "success")
        throw std::runtime_error(std::string(what) + " failed: " + jsonDump(r.get()));
    json_t* response = json_object_get(r.get(), "response");
    if (AnswerLog::enabled()) {
        JsonPtr rec = jsonObject();
        jsonSet(rec.get(), "api", what);
        jsonSet(rec.get(), "plugin", target);
        json_object_set(rec.get(), "request", const_cast<json_t*>(request));
        if (response) json_object_set(rec.get(), "answer", response);
        AnswerLog::write(rec.get());
    }
    return jsonRetain(response);
}

JsonPtr JanusClient::messagePlugin(const std::string& plugin, const json_t* request) {
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", "message_plugin");
    jsonSet(body.get(), "plugin", plugin);
    json_object_set(body.get(), "request", const_cast<json_t*>(request));
    return responseOf(admin(std::move(body)), "message_plugin", plugin, request);
}

JsonPtr JanusClient::queryHandler(const std::string& handler, const json_t* request) {
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "janus", "query_eventhandler");
    jsonSet(body.get(), "handler", handler);
    json_object_set(body.get(), "request", const_cast<json_t*>(request));
    return responseOf(admin(std::move(body)), "query_eventhandler", handler, request);
}

}  // namespace hipaa::test
