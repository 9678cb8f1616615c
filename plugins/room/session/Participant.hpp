// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One participant of a room (a participant handle that joined with a token): who it is, whether it
// waits, and its media. Owned by its Room. `name` is PHI: shown only to viewers whose role may see
// it (RoomView), never in events.
#include "ChatMeter.hpp"
#include "Role.hpp"

#include "hipaa/PluginCore.hpp"
#include "hipaa/Sdp.hpp"
#include "hipaa/VisitEvents.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace hipaa::room {

struct Participant {
    // One stream of its publication.
    struct Stream {
        SdpMedia media;
        bool screen = false, muted = false;
        std::string description;  // from the client, shown to the room (never in notify events)
    };

    std::string id, pseudonym, name, sub, jti;
    std::string subjectKey;  // SharedTokenState::subjectKey(sub), how shared revocations name it
    SessionId session = 0;
    Role role = Role::Patient;
    FhirContext fhir;
    bool waiting = true;
    int64_t joinedUs = 0, lastActivityUs = 0, expS = 0;
    size_t historyIndex = 0;  // its entry in Room::history

    uint64_t feed = 0, privateId = 0;  // relay feed number; secret that opens subscriber handles
    bool publishing = false, e2ee = false;
    std::vector<Stream> streams;
    std::set<SessionId> subscribers;  // subscriber handles this participant opened
    uint64_t mediaPackets = 0;        // packets sent + received at the last tick (idle timeout)
    ChatMeter::Counts chat;           // data channel messages not yet in a `chat` event
    int64_t lastChatEventUs = 0;
};

}  // namespace hipaa::room
