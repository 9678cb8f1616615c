// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A recorder stand-in for the room's tap: a RecordingSink whose calls run the test's functions,
// registered in a slot of its own (not the process' one) for as long as the object lives.
#include <functional>
#include <string>
#include <vector>

#include "hipaa/Errors.hpp"
#include "hipaa/RecordingSink.hpp"

namespace hipaa::room::test {

class ScriptedRecorder final : public RecordingSink {
public:
    std::function<std::string(const std::vector<RecordingStreamSpec>&, const std::string& policy)> onStart =
        [](const auto&, const auto&) -> std::string { throw Error(420, "no ports"); };
    std::function<Write(const std::string& recording, size_t stream)> onWrite = [](const auto&, size_t) {
        return Write::Recorded;
    };
    std::function<std::string(const std::string& recording)> onFailure = [](const auto&) { return std::string(); };
    std::function<RecordingStopped(const std::string& recording)> onStop = [](const auto&) {
        return RecordingStopped{};
    };

    std::vector<RecordingContext> contexts;  // each start's, in order (the tap's thread writes it)

    ScriptedRecorder() { slot_.provide(*this); }
    ~ScriptedRecorder() override { slot_.withdraw(*this); }
    const InProcessSlot<RecordingSink>& slot() const { return slot_; }

    std::string start(const std::vector<RecordingStreamSpec>& streams, const std::string& policy,
                      const RecordingContext& context) override {
        contexts.push_back(context);
        return onStart(streams, policy);
    }
    Write write(const std::string& recording, size_t stream, const uint8_t*, size_t) noexcept override {
        return onWrite(recording, stream);
    }
    std::string failure(const std::string& recording) override { return onFailure(recording); }
    RecordingStopped stop(const std::string& recording) override { return onStop(recording); }

private:
    InProcessSlot<RecordingSink> slot_{"test.recorder"};
};

}  // namespace hipaa::room::test
