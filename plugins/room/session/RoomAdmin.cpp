// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomAdmin.hpp"

#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomView.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <vector>

namespace hipaa::room {
namespace {}  // namespace

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
    // The visit's rules, for the clinic's app to tell the patient before check-in (privacy screen).
    return JsonBuilder()
        .set("room", id)
        .set("class", className)
        .set("policy", RoomView(state_).policy(state_.rooms.at(id), nowUs))
        .build();
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
        .set("policy", RoomView(state_).policy(room, nowUs))
        .set("has_description", !room.description.empty())  // the text itself is PHI
        .set("locked_subjects", static_cast<uint64_t>(lockouts_.lockedSubjects(room, nowUs / kUsPerSecond)))
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
        .set("shared_state",
             state_.settings.shared ? state_.settings.shared->describe() : JsonBuilder().set("mode", "local").build())
        .set("counters", std::move(counters).build())
        .build();
}

JsonPtr RoomAdmin::revoke(const json_t* request, int64_t nowUs, Effects& out) {
    // No join token (at most 8 KiB) carries a longer sub or jti.
    auto sub = jsonOptionalString(request, "sub", 1, 8192);
    auto jti = jsonOptionalString(request, "jti", 1, 8192);
    auto roomField = jsonOptionalString(request, "room", 1, 64);
    auto ttlField = jsonOptionalInt(request, "ttl", 1, 366LL * 24 * 3600);
    // Who asked (free text: stored only as its pseudonym) and why (a code, never free text).
    auto by = jsonOptionalString(request, "by", 1, 256);
    std::string reason(jsonOptionalString(request, "reason", 1, 64).value_or("admin_request"));
    if (!sub && !jti && !roomField) throw RequestError(errc::kMissingField, "missing field: sub, jti or room");
    if (roomField && !RoomState::validRoomId(std::string(*roomField)))
        throw RequestError(errc::kInvalidField, "room: 1 to 64 of [A-Za-z0-9_-]");
    if (std::none_of(std::begin(SharedTokenState::kReasons), std::end(SharedTokenState::kReasons),
                     [&](const char* r) { return reason == r; }))
        throw RequestError(errc::kInvalidField,
                           "reason: one of admin_request, credential_compromised, left_practice, patient_request, "
                           "security_incident, other");
    int64_t ttl = ttlField.value_or(verifier_->policy().maxLifetimeS + verifier_->policy().skewS);
    int64_t until = nowUs / kUsPerSecond + ttl;
    if (SharedTokenState* shared = state_.settings.shared.get()) {
        // Stored first: an operator told "revoked" must be able to rely on every instance refusing.
        std::string byPseudonym = pseudonyms_.value("admin_actor", by ? std::string(*by) : std::string("admin"));
        try {
            if (sub)
                shared->revoke({"subject", SharedTokenState::subjectKey(pseudonyms_, std::string(*sub)), until,
                                byPseudonym, reason});
            if (jti) shared->revoke({"jti", std::string(*jti), until, byPseudonym, reason});
            if (roomField) shared->revoke({"room", std::string(*roomField), until, byPseudonym, reason});
        } catch (const Error&) {
            ++state_.counters["revocations_refused"];
            throw RequestError(errc::kSharedStateUnavailable,
                               "the shared token state cannot be reached: the revocation did not take; retry");
        }
    }
    if (sub) verifier_->revocations().revokeSubject(std::string(*sub), until);
    if (jti) verifier_->revocations().revokeTokenId(std::string(*jti), until);
    if (roomField) verifier_->revocations().revokeRoom(std::string(*roomField), until);
    uint64_t ended = endWhere(
        [&](const Room& room, const Participant& p) {
            return (sub && p.sub == *sub) || (jti && p.jti == *jti) || (roomField && room.id == *roomField);
        },
        nowUs, out);
    out.push_back(Effect::notify(0, event::revoked(sub ? "sub" : jti ? "jti" : "room", ended)));
    ++state_.counters["revocations"];
    return JsonBuilder().set("revoked", true).set("sessions_ended", ended).set("until", until).build();
}

void RoomAdmin::sharedRevocation(const SharedTokenState::Revocation& r, int64_t nowUs, Effects& out) {
    // Token ids and rooms also go to the local list (a subject's key cannot: it names no sub).
    if (r.kind == "jti") verifier_->revocations().revokeTokenId(r.target, r.until);
    if (r.kind == "room") verifier_->revocations().revokeRoom(r.target, r.until);
    uint64_t ended = endWhere(
        [&](const Room& room, const Participant& p) {
            return (r.kind == "subject" && !p.subjectKey.empty() && p.subjectKey == r.target) ||
                   (r.kind == "jti" && p.jti == r.target) || (r.kind == "room" && room.id == r.target);
        },
        nowUs, out);
    ++state_.counters["revocations_shared"];
    // This instance's own revocations come back here too, with nobody left to end: no second event.
    if (ended) out.push_back(Effect::notify(0, event::revoked(r.kind == "subject" ? "sub" : r.kind.c_str(), ended)));
}

uint64_t RoomAdmin::endWhere(const std::function<bool(const Room&, const Participant&)>& hit, int64_t nowUs,
                             Effects& out) {
    uint64_t ended = 0;
    for (auto& [rid, room] : state_.rooms) {
        std::vector<std::string> ids;
        for (const auto& [pid, p] : room.participants)
            if (hit(room, p)) ids.push_back(pid);
        for (const auto& pid : ids) {
            departures_.endParticipant(room, pid, "revoked", nowUs, out);
            ++ended;
        }
    }
    return ended;
}

}  // namespace hipaa::room
