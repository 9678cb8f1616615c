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
    enum class Kind { Push, Notify, End };
    Kind kind;
    SessionId session = 0;   // Notify: 0 = not tied to a session
    std::string transaction; // Push: the request's transaction, empty for unsolicited events
    JsonPtr body;            // Push: client event; Notify: PHI-free event
};
using Effects = std::vector<Effect>;

}  // namespace hipaa::room
