// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What handling a request decided should happen at the gateway. RoomService only computes effects
// (under its lock); RoomPlugin applies them afterwards, outside the lock, because Janus' end_session
// calls back into destroy_session synchronously.
#include "hipaa/Json.hpp"
#include "hipaa/PluginCore.hpp"
#include "hipaa/RecordingSink.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hipaa::room {

struct Effect {
    // Push: an event to the client; Notify: a PHI-free event for the event handlers; End: hang the
    // handle up (end_session); Hangup: close only its PeerConnection (sent back to the waiting room).
    // StartRecording / StopRecording: start or stop (seal) the room's recording. They call into the
    // recorder, which may be slow (it can be exporting an hour of video), so RoomPlugin runs them off
    // its lock and its worker, and reports each outcome back (RoomService::recordingStarted/Stopped
    // with the ticket) as a task on the worker queue.
    // KeepChat / StopChat: start or stop (seal) the room's kept chat (class `chat = "record"`), also
    // off the worker; no outcome is reported back (a failure leaves the chat unrelayed: fail closed).
    enum class Kind { Push, Notify, End, Hangup, StartRecording, StopRecording, KeepChat, StopChat };
    Effect(Kind k, SessionId s = 0, std::string tx = {}, JsonPtr b = nullptr, JsonPtr j = nullptr)
        : kind(k), session(s), transaction(std::move(tx)), body(std::move(b)), jsep(std::move(j)) {}
    // `tx` "" for an unsolicited event; `body` from RoomPush.
    static Effect push(SessionId s, std::string tx, JsonPtr body, JsonPtr jsep = nullptr) {
        return {Kind::Push, s, std::move(tx), std::move(body), std::move(jsep)};
    }
    // `body` from RoomEvent; `s` 0 when not tied to a session.
    static Effect notify(SessionId s, JsonPtr body) { return {Kind::Notify, s, {}, std::move(body)}; }
    static Effect end(SessionId s) { return {Kind::End, s}; }
    static Effect hangup(SessionId s) { return {Kind::Hangup, s}; }
    Kind kind;
    SessionId session = 0;     // Notify: 0 = not tied to a session
    std::string transaction;   // Push: the request's transaction, empty for unsolicited events
    JsonPtr body;              // Push: client event; Notify: PHI-free event
    JsonPtr jsep;              // Push: an SDP offer/answer, or null
    std::string room, policy;  // Start/StopRecording, Keep/StopChat: the room; Start, Keep: the policy
    uint64_t ticket = 0;       // Start/StopRecording: names the outcome to report back
    RecordingContext context;  // StartRecording, KeepChat: the visit and who takes part (kept with it)
};
using Effects = std::vector<Effect>;

}  // namespace hipaa::room
