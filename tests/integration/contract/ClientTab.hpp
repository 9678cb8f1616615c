#pragma once
// One client of janus.plugin.hipaa.room over the real Janus HTTP API: its own session and handle.
// request() sends a message and returns the plugin's answer to it (synchronous, or the push event
// carrying the same transaction), so each call sees exactly its own answer.
#include <chrono>
#include <functional>
#include <set>
#include <string>

#include "JanusClient.hpp"

namespace hipaa::test {

class ClientTab {
public:
    explicit ClientTab(const JanusProcess& janus);

    // plugindata.data of the answer; throws when none arrives in time.
    JsonPtr request(const json_t* body, const json_t* jsep = nullptr) { return requestOn(handle_, body, jsep); }
    // Another handle of this tab's Janus session (a subscriber handle, as janus.js opens one).
    uint64_t attach();
    JsonPtr requestOn(uint64_t handle, const json_t* body, const json_t* jsep = nullptr);
    JsonPtr request(const std::string& bodyJson) { return request(J(bodyJson).get()); }
    // The answer's error_code (0: none).
    int code(const std::string& bodyJson) { return errorCode(request(bodyJson).get()); }
    // {"request":"join","room":room,"token":token[,"dob":dob]}
    JsonPtr join(const std::string& room, const std::string& token, const std::string& dob = "");
    // The next plugin event (any transaction, or none) whose data satisfies `pred`; nullptr after `timeout`.
    JsonPtr waitData(const std::function<bool(const json_t*)>& pred,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

    static int errorCode(const json_t* data) { return static_cast<int>(jsonInt(data, "error_code").value_or(0)); }

private:
    JanusClient client_;
    uint64_t session_, handle_;
    std::set<size_t> returned_;  // indices into client_.events() that waitData returned
};

}  // namespace hipaa::test
