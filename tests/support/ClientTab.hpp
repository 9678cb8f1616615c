// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One browser tab of janus.plugin.hipaa.room over the real Janus HTTP API: its own Janus session, a
// room handle (more on request, as janus.js opens subscriber handles) and the session's long poll.
// Two ways to talk to the room:
//  - send()/join(): a message Janus acknowledges; wait()/waitKind()/waitError() then find the plugin
//    events it caused. Each event is returned by one wait at most.
//  - request()/requestJoin(): a message and the plugin's answer to it (synchronous, or the push event
//    carrying the same transaction), so each call sees exactly its own answer.
// Failures to deliver a message throw std::runtime_error; a wait that times out returns nullptr.
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "JanusClient.hpp"

namespace hipaa::test {

class ClientTab {
public:
    explicit ClientTab(const JanusProcess& janus);

    // Another handle of this tab's Janus session; its events come on the same long poll with
    // "sender" = the handle.
    uint64_t attach();

    // ---- messages, then events ----
    void send(const json_t* body, const json_t* jsep = nullptr) { sendOn(handle_, body, jsep); }
    void send(const std::string& bodyJson) { send(J(bodyJson).get()); }
    void sendOn(uint64_t handle, const json_t* body, const json_t* jsep = nullptr);
    void sendOn(uint64_t handle, const std::string& bodyJson) { sendOn(handle, J(bodyJson).get()); }
    // `request` with a JSEP offer.
    void sendOffer(const std::string& request, const std::string& sdp);
    // {"request":"join","room":room,"token":token[,"dob":dob][,"display":display]}; `display`: a
    // patient's name, typed at check-in (patient tokens carry none).
    void join(const std::string& room, const std::string& token, const std::string& dob = "",
              const std::string& display = "");
    // The next plugin event whose data satisfies `pred` (the whole event; nullptr after the timeout).
    JsonPtr wait(const std::function<bool(const json_t*)>& pred,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // The same, returning the event's plugin data.
    JsonPtr waitData(const std::function<bool(const json_t*)>& pred,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
    JsonPtr waitKind(const std::string& kind, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    JsonPtr waitError(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    JsonPtr waitErrorOn(uint64_t handle, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Janus said the room handle was detached (any time so far, or within the timeout).
    bool detached(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // The plugin data of every event this tab received so far.
    std::vector<const json_t*> pluginEvents() const;

    // ---- requests and their answers ----
    // plugindata.data of the answer; throws when none arrives in time.
    JsonPtr request(const json_t* body, const json_t* jsep = nullptr) { return requestOn(handle_, body, jsep); }
    JsonPtr request(const std::string& bodyJson) { return request(J(bodyJson).get()); }
    JsonPtr requestOn(uint64_t handle, const json_t* body, const json_t* jsep = nullptr);
    // The answer's error_code (0: none).
    int code(const std::string& bodyJson) { return errorCode(request(bodyJson).get()); }
    // {"request":"join","room":room,"token":token[,"dob":dob]} and its answer.
    JsonPtr requestJoin(const std::string& room, const std::string& token, const std::string& dob = "");

    static int errorCode(const json_t* data) { return static_cast<int>(jsonInt(data, "error_code").value_or(0)); }

private:
    static JsonPtr joinMessage(const std::string& room, const std::string& token, const std::string& dob,
                               const std::string& display);
    // The next event satisfying `pred` that no wait returned before.
    JsonPtr next(const std::function<bool(const json_t*)>& pred, std::chrono::milliseconds timeout);

    JanusClient client_;
    uint64_t session_, handle_;
    std::set<size_t> returned_;  // indices into client_.events() that a wait returned
};

}  // namespace hipaa::test
