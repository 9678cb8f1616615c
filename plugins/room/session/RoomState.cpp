// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomState.hpp"

#include "RoomErrors.hpp"
#include "RoomEvent.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/SecureRandom.hpp"

namespace hipaa::room {

RoomState::RoomState(RoomSettings s) : settings(std::move(s)) {
    if (!settings.classes.contains("default")) settings.classes.emplace("default", RoomClass{});
}

Room* RoomState::roomOf(SessionId s) {
    auto w = participants.find(s);
    if (w == participants.end()) return nullptr;
    auto r = rooms.find(w->second.room);
    return r == rooms.end() ? nullptr : &r->second;
}

Participant* RoomState::participantOf(SessionId s) {
    Room* room = roomOf(s);
    if (!room) return nullptr;
    auto p = room->participants.find(participants.at(s).participant);
    return p == room->participants.end() ? nullptr : &p->second;
}

void RoomState::denyRole(const Reply& reply, const Room& room, const Participant& who, const std::string& request,
                         const std::string& message) {
    reply.notify(event::roleDenied(room.id, who.pseudonym, who.role, request));
    ++counters["role_denials"];
    reply.error(errc::kForbidden, message);
}

void RoomState::createRoom(const std::string& id, const std::string& className, const std::string& description,
                           int64_t nowUs) {
    if (!validRoomId(id)) throw RequestError(errc::kInvalidField, "room: 1 to 64 of [A-Za-z0-9_-]");
    if (!settings.classes.contains(className)) throw RequestError(errc::kInvalidField, "class: no such room class");
    if (rooms.contains(id)) throw RequestError(errc::kRoomExists, "room exists");
    Room r;
    r.id = id;
    r.className = className;
    r.description = description;
    r.createdUs = nowUs;
    r.visitId = newId("v_");
    rooms.emplace(id, std::move(r));
}

bool RoomState::validRoomId(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

std::string RoomState::newId(const char* prefix) {
    Bytes b = secureRandomBytes(10);
    return prefix + hexEncode(b);
}

}  // namespace hipaa::room
