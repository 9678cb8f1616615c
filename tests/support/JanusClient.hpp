// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Janus HTTP API (sessions, handles, messages, long-poll events) and Admin API, over libcurl.
// With HIPAA_ANSWER_LOG set, every plugin answer and pushed event it receives goes to the AnswerLog.
#include "hipaa/CurlEasy.hpp"
#include "hipaa/Json.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hipaa::test {

class JanusProcess;

class JanusClient {
public:
    explicit JanusClient(const JanusProcess& janus);

    // ---- Janus API ----
    uint64_t createSession();
    void destroySession(uint64_t session);
    uint64_t attach(uint64_t session, const std::string& plugin, const std::string& opaqueId = "");
    void detach(uint64_t session, uint64_t handle);
    // The whole Janus reply ("success" with plugindata for synchronous answers, or "ack").
    JsonPtr message(uint64_t session, uint64_t handle, const json_t* body, const json_t* jsep = nullptr);
    // plugindata.data of a synchronous reply (throws if the reply has none).
    JsonPtr messageData(uint64_t session, uint64_t handle, const json_t* body);
    // Long-polls events until `pred` matches one (returned) or the timeout passes (nullptr).
    JsonPtr waitEvent(uint64_t session, const std::function<bool(const json_t*)>& pred,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Every event received by waitEvent so far (matched or not), in order.
    const std::vector<JsonPtr>& events() const { return seen_; }

    // ---- Admin API ----
    JsonPtr adminInfo();
    JsonPtr messagePlugin(const std::string& plugin, const json_t* request);  // returns "response"
    JsonPtr queryHandler(const std::string& handler, const json_t* request);  // returns "response"
    JsonPtr admin(JsonPtr body);                                              // whole reply

    JsonPtr post(const std::string& url, const json_t* body, long timeoutMs = 10000);
    JsonPtr get(const std::string& url, long timeoutMs = 35000);

private:
    std::string tx();
    // AnswerLog records: a message and its synchronous answer (if any), a plugin event of the long poll.
    void logMessage(uint64_t session, uint64_t handle, const std::string& tx, const json_t* body, const json_t* reply);
    void logEvent(uint64_t session, const json_t* event);
    std::string httpUrl_, adminUrl_, adminSecret_;
    CurlGlobal curlGlobal_;
    CurlEasy curl_{CurlEasy::Schemes::HttpAndHttps};  // Janus' HTTP API on loopback
    uint64_t counter_ = 0;
    std::vector<JsonPtr> seen_;
    std::map<uint64_t, std::string> plugins_;  // handle -> plugin package (attach)
};

// Parses `text` as JSON (tests write literals: J(R"({"request":"info"})")).
JsonPtr J(const std::string& text);

}  // namespace hipaa::test
