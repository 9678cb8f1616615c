// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A MediaHost that takes every call and does nothing: for cores whose pushes and events a test
// does not look at (the recorder in key hygiene, admin and benchmark tests).
#include "hipaa/PluginCore.hpp"

namespace hipaa::test {

class NullHost final : public MediaHost {
public:
    explicit NullHost(bool eventsEnabled = false) : eventsEnabled_(eventsEnabled) {}
    bool pushEvent(SessionId, const std::string&, const json_t*, const json_t*) override { return true; }
    void notifyEvent(SessionId, const json_t*) override {}
    bool eventsEnabled() const override { return eventsEnabled_; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}

private:
    bool eventsEnabled_;
};

}  // namespace hipaa::test
