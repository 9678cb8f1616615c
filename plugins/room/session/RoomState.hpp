// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The rooms and where each Janus handle is in them: the state the parts of RoomService share.
// RoomService owns it; like the service it is used from one thread only. A handle is either a
// participant's (`participants`: its room and participant id) or a subscriber handle (`subscribers`).
#include "Reply.hpp"
#include "Room.hpp"
#include "RoomSettings.hpp"
#include "Subscriber.hpp"

#include "hipaa/PluginCore.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hipaa::room {

struct RoomState {
    struct Where {
        std::string room, participant;
    };

    explicit RoomState(RoomSettings s);

    RoomSettings settings;
    std::map<std::string, Room> rooms;
    std::unordered_map<SessionId, Where> participants;        // participant handles
    std::unordered_map<SessionId, Subscriber> subscribers;    // subscriber handles
    std::unordered_map<SessionId, int64_t> activity;          // every handle's last request
    std::map<std::string, uint64_t> counters;                 // Admin `stats`
    std::map<std::string, PendingVisitEnd> endsAwaitingSeal;  // by room id
    uint64_t nextFeed = 1;

    const RoomClass& classOf(const Room& room) const { return settings.classes.at(room.className); }
    const Permissions& permissionsOf(const Room& room, const Participant& p) const { return classOf(room).of(p.role); }
    // The participant (and its room) of a participant handle; null for any other handle.
    Participant* participantOf(SessionId s);
    Room* roomOf(SessionId s);
    // A request (or a part of one: a screen share, a subscription) the participant's role may not make:
    // 434 with `message`, a `role_denied` event naming `request`, and the count.
    void denyRole(const Reply& reply, const Room& room, const Participant& who, const std::string& request,
                  const std::string& message);
    // Throws RequestError: 303 for a bad id or an unknown class, 438 when the room exists.
    void createRoom(const std::string& id, const std::string& className, const std::string& description, int64_t nowUs);

    static bool validRoomId(std::string_view id);
    // prefix + 20 random hex digits: participant, room, visit and note ids.
    static std::string newId(const char* prefix);
};

}  // namespace hipaa::room
