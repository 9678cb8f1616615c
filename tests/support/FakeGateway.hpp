// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A fake janus_callbacks that records what plugins push, notify and relay. Janus' callbacks are plain
// C function pointers, so there is one process-wide instance; reset() between tests.
#include "hipaa/Json.hpp"
#include "hipaa/glue/JanusAbi.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hipaa::test {

struct PushedEvent {
    janus_plugin_session* handle;
    std::string transaction;
    JsonPtr message, jsep;
};

struct NotifiedEvent {
    janus_plugin_session* handle;
    JsonPtr event;
};

// A janus_plugin_session as the core would allocate it; counts its own references.
struct FakeHandle {
    janus_plugin_session session{};
    FakeHandle();
    int refs() const { return static_cast<int>(session.ref.count); }
};

class FakeGateway {
public:
    static FakeGateway& instance();
    janus_callbacks* callbacks();
    void reset();

    std::vector<PushedEvent> pushed() const;
    std::vector<NotifiedEvent> notified() const;
    // Waits until `pred` holds for what was pushed/notified so far (or the timeout passes).
    bool waitFor(const std::function<bool(const FakeGateway&)>& pred,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

    int relayedRtp() const, relayedRtcp() const, relayedData() const, plis() const, closedPcs() const,
        endedSessions() const;
    bool eventsEnabled = true;

private:
    friend struct Trampolines;
    mutable std::mutex m_;
    mutable std::condition_variable cv_;
    std::vector<PushedEvent> pushed_;
    std::vector<NotifiedEvent> notified_;
    int rtp_ = 0, rtcp_ = 0, data_ = 0, pli_ = 0, closePc_ = 0, end_ = 0;
};

}  // namespace hipaa::test
