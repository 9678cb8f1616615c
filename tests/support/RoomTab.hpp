#pragma once
// One browser tab on janus.plugin.hipaa.room over the real Janus HTTP API: its own session, handle
// and long-poll. Tokens come from scripts/mint-token with the development key scripts/janus-conf.sh
// generated (mintRoomToken).
#include "JanusClient.hpp"

#include "hipaa/Json.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>

namespace hipaa::test {

class JanusProcess;

class RoomTab {
public:
    explicit RoomTab(const JanusProcess& janus);
    // Sends a request and expects Janus' "ack" (the answer comes as an event); false otherwise.
    bool send(const std::string& json);
    bool join(const std::string& room, const std::string& token);
    // The next plugin event's data satisfying pred (nullptr after the timeout). Each event is returned once.
    JsonPtr wait(const std::function<bool(const json_t*)>& pred,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // The next event with "hipaa.room" == kind.
    JsonPtr waitKind(const std::string& kind, std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    JanusClient client_;
    uint64_t session_, handle_;
    std::set<std::string> used_;
};

// A join token for `room` signed with the Janus config's development key; `extra` is passed to
// scripts/mint-token as is (e.g. "--fhir-patient Patient/1"). Empty on failure.
std::string mintRoomToken(const JanusProcess& janus, const std::string& room, const std::string& role,
                          const std::string& sub, const std::string& extra = "");

}  // namespace hipaa::test
