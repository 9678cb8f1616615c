// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomAdmin.hpp"

#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <string_view>
#include <vector>

namespace hipaa::room {
namespace {

constexpr int64_t kUs = 1000000;

}  // namespace

JsonPtr RoomAdmin::handle(const json_t* request, int64_t nowUs, Effects& out) {
    using Handler = JsonPtr (RoomAdmin::*)(const json_t*, int64_t, Effects&);
    static constexpr std::pair<std::string_view, Handler> kRequests[] = {
        {"create", &RoomAdmin::create}, {"destroy", &RoomAdmin::destroy}, {"list", &RoomAdmin::list},
        {"info", &RoomAdmin::info},     {"stats", &RoomAdmin::stats},     {"revoke", &RoomAdmin::revoke},
    };
    std::string_view name = jsonRequireString(request, "request");
    for (const auto& [n, handler] : kRequests)
        if (n == name) return (this->*handler)(request, nowUs, out);
    throw RequestError(errc::kUnknownRequest, "unknown request");
}

Room& RoomAdmin::roomOf(const json_t* request) {
    std::string id(jsonRequireString(request, "room"));
    if (!RoomState::validRoomId(id)) throw RequestError(errc::kInvalidField, "room: 1 to 64 of [A-Za-z0-9_-]");
    auto it = state_.rooms.find(id);
    if (it == state_.rooms.end()) throw RequestError(errc::kNoSuchRoom, "no such room");
    return it->second;
}

JsonPtr RoomAdmin::create(const json_t* request, int64_t nowUs, Effects& out) {
    auto room = jsonOptionalString(request, "room");  // createRoom checks the id's form
    auto cls = jsonOptionalString(request, "class", 1, 64);
    auto desc = jsonOptionalString(request, "description", 0, kMaxDescriptionBytes);
    std::string id = room ? std::string(*room) : RoomState::newId("r_");
    state_.createRoom(id, std::string(cls.value_or("default")), std::string(desc.value_or("")), nowUs);
    const std::string& className = state_.rooms.at(id).className;
    out.push_back(Effect::notify(0, event::roomCreated(id, className)));
    return JsonBuilder().set("room", id).set("class", className).build();
}

JsonPtr RoomAdmin::destroy(const json_t* request, int64_t nowUs, Effects& out) {
    Room& room = roomOf(request);
    std::string id = room.id;
    departures_.endVisit(room, "destroyed", nowUs, out);
    state_.rooms.erase(id);
    out.push_back(Effect::notify(0, event::roomDestroyed(id)));
    return JsonBuilder().set("destroyed", id).build();
}

JsonPtr RoomAdmin::list(const json_t*, int64_t, Effects&) {
    JsonArrayBuilder rooms;
    for (const auto& [id, r] : state_.rooms) {
        size_t waiting = 0;
        for (const auto& [pid, p] : r.participants) waiting += p.waiting ? 1 : 0;
        rooms.push(JsonBuilder()
                       .set("room", id)
                       .set("class", r.className)
                       .set("ended", r.ended)
                       .set("participants", static_cast<uint64_t>(r.participants.size() - waiting))
                       .set("waiting", static_cast<uint64_t>(waiting))
                       .build());
    }
    return JsonBuilder().set("rooms", std::move(rooms).build()).build();
}

JsonPtr RoomAdmin::info(const json_t* request, int64_t nowUs, Effects&) {
    Room& room = roomOf(request);
    JsonArrayBuilder participants;
    for (const auto& [pid, p] : room.participants)
        participants.push(JsonBuilder()
                              .set("id", pid)
                              .set("participant", p.pseudonym)
                              .set("role", roleName(p.role))
                              .set("state", p.waiting ? "waiting" : "admitted")
                              .build());
    return JsonBuilder()
        .set("room", room.id)
        .set("class", room.className)
        .set("visit", room.visitId)
        .set("ended", room.ended)
        .set("started_us", room.startedUs)
        .set("has_description", !room.description.empty())  // the text itself is PHI
        .set("locked_subjects", static_cast<uint64_t>(lockouts_.lockedSubjects(room, nowUs / kUs)))
        .set("participants", std::move(participants).build())
        .build();
}

JsonPtr RoomAdmin::stats(const json_t*, int64_t, Effects&) {
    JsonBuilder counters;
    for (const auto& [k, v] : state_.counters) counters.set(k.c_str(), v);
    return JsonBuilder()
        .set("rooms", static_cast<uint64_t>(state_.rooms.size()))
        .set("sessions", static_cast<uint64_t>(state_.activity.size()))
        .set("participants", static_cast<uint64_t>(state_.participants.size()))
        .set("replay_cache", static_cast<uint64_t>(verifier_->replay().size()))
        .set("revocations", static_cast<uint64_t>(verifier_->revocations().size()))
        .set("counters", std::move(counters).build())
        .build();
}

JsonPtr RoomAdmin::revoke(const json_t* request, int64_t nowUs, Effects& out) {
    // No join token (at most 8 KiB) carries a longer sub or jti.
    auto sub = jsonOptionalString(request, "sub", 1, 8192);
    auto jti = jsonOptionalString(request, "jti", 1, 8192);
    auto ttlField = jsonOptionalInt(request, "ttl", 1, 366LL * 24 * 3600);
    if (!sub && !jti) throw RequestError(errc::kMissingField, "missing field: sub or jti");
    int64_t ttl = ttlField.value_or(verifier_->policy().maxLifetimeS + verifier_->policy().skewS);
    int64_t until = nowUs / kUs + ttl;
    if (sub) verifier_->revocations().revokeSubject(std::string(*sub), until);
    if (jti) verifier_->revocations().revokeTokenId(std::string(*jti), until);
    uint64_t ended = 0;
    for (auto& [rid, room] : state_.rooms) {
        std::vector<std::string> hit;
        for (const auto& [pid, p] : room.participants)
            if ((sub && p.sub == *sub) || (jti && p.jti == *jti)) hit.push_back(pid);
        for (const auto& pid : hit) {
            departures_.endParticipant(room, pid, "revoked", nowUs, out);
            ++ended;
        }
    }
    out.push_back(Effect::notify(0, event::revoked(sub ? "sub" : "jti", ended)));
    ++state_.counters["revocations"];
    return JsonBuilder().set("revoked", true).set("sessions_ended", ended).set("until", until).build();
}

}  // namespace hipaa::room
