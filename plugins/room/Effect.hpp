#pragma once
// What handling a request decided should happen at the gateway. RoomService only computes effects
// (under its lock); RoomPlugin applies them afterwards, outside the lock, because Janus' end_session
// calls back into destroy_session synchronously.
#include "hipaa/Json.hpp"
#include "hipaa/PluginCore.hpp"

#include <string>
#include <vector>

namespace hipaa::room {

struct Effect {
    // Push: an event to the client; Notify: a PHI-free event for the event handlers; End: hang the
    // handle up (end_session); Hangup: close only its PeerConnection (sent back to the waiting room).
    enum class Kind { Push, Notify, End, Hangup };
    Kind kind;
    SessionId session = 0;   // Notify: 0 = not tied to a session
    std::string transaction; // Push: the request's transaction, empty for unsolicited events
    JsonPtr body;            // Push: client event; Notify: PHI-free event
    JsonPtr jsep;            // Push: an SDP offer/answer, or null
};
using Effects = std::vector<Effect>;

}  // namespace hipaa::room
