// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomService.hpp"

#include "PermissionTable.hpp"
#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"

#include <variant>

namespace hipaa::room {
namespace {

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
// GCC deduces aggregates by itself (C++20); clang before 17 needs the guide (clang-tidy parses with it).
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

RoomService::RoomService(RoomSettings settings, const std::shared_ptr<TokenVerifier>& verifier,
                         Pseudonymizer pseudonyms, VisitPublisher publisher, MediaControl media)
    : state_(std::move(settings)),
      view_(state_),
      lockouts_(state_),
      recording_(state_, media.relay),
      publishing_(state_, view_, recording_, media),
      subscriptions_(state_, view_, lockouts_, media),
      departures_(state_, view_, recording_, publishing_, subscriptions_, verifier, media.relay,
                  std::move(publisher.ended)),
      admission_(state_, view_, lockouts_, recording_, departures_, verifier, pseudonyms),
      notes_(state_, std::move(publisher.note)),
      admin_(state_, departures_, lockouts_, verifier, std::move(pseudonyms)) {}

RoomService::Vouch RoomService::vouchForRedirect(SessionId s, const std::string& tx, const json_t* message,
                                                 const std::string& className, int64_t now, Effects& out) {
    if (state_.subscribers.contains(s) || state_.roomOf(s)) return Vouch::Other;
    const Reply reply{s, tx, now, out};
    RoomRequest request;
    try {
        request = parseRoomRequest(message);
    } catch (const Error& e) {
        admission_.refuseUnparsed(reply, message, e);
        return Vouch::Refused;
    }
    const auto* join = std::get_if<JoinRequest>(&request);
    if (!join) return Vouch::Other;
    auto cls = state_.settings.classes.find(className);
    if (cls == state_.settings.classes.end()) return Vouch::Other;  // a class unknown here: "no such room"
    return admission_.vouch(reply, *join, cls->second) ? Vouch::Redirect : Vouch::Refused;
}

Effects RoomService::handle(SessionId s, const std::string& tx, const json_t* message, int64_t now,
                            const json_t* jsep) {
    Effects out;
    const Reply reply{s, tx, now, out};
    state_.activity[s] = now;
    RoomRequest request;
    try {
        request = parseRoomRequest(message);
    } catch (const Error& e) {
        if (jsonString(message, "request").value_or("") == "join")
            admission_.refuseUnparsed(reply, message, e);
        else
            reply.error(e.code(), e.what());
        return out;
    }

    using Handle = PermissionTable::Handle;
    using Access = PermissionTable::Access;
    auto subIt = state_.subscribers.find(s);
    Subscriber* sub = subIt == state_.subscribers.end() ? nullptr : &subIt->second;
    Room* room = sub ? nullptr : state_.roomOf(s);
    Participant* me = room ? state_.participantOf(s) : nullptr;
    Handle handle = sub ? Handle::Subscriber : me ? Handle::Participant : Handle::New;
    const std::string name = requestName(request);
    Access access = PermissionTable::check(request, handle, me && me->waiting,
                                           me ? state_.permissionsOf(*room, *me) : Permissions{});
    if (me && access != Access::AlreadyJoined) me->lastActivityUs = now;
    switch (access) {
        case Access::Allowed:
            break;
        case Access::NotJoined:
            reply.error(errc::kNotJoined, "not in a room");
            return out;
        case Access::AlreadyJoined: {
            const auto* join = std::get_if<JoinRequest>(&request);
            admission_.refuseAlreadyJoined(reply, join ? join->room : std::get<SubscriberJoinRequest>(request).room);
            return out;
        }
        case Access::SubscriberOnly:
            reply.error(errc::kWrongHandle, name + " is a subscriber request (join with ptype subscriber)");
            return out;
        case Access::ParticipantOnly:
            reply.error(errc::kWrongHandle, name + " is not a subscriber request");
            return out;
        case Access::RoleDenied:
            state_.denyRole(reply, *room, *me, name, "your role may not " + name);
            return out;
    }

    // Allowed: the table guarantees `room` and `me` for participant handle requests, `sub` for
    // subscriber handle requests; a request both handles take goes by the handle it came on.
    std::visit(
        Overloaded{
            [&](const JoinRequest& r) { admission_.join(reply, r); },
            [&](const SubscriberJoinRequest& r) { subscriptions_.join(reply, r); },
            [&](const LeaveRequest&) {
                sub ? subscriptions_.leave(reply, *sub) : departures_.leave(reply, *room, *me);
            },
            [&](const ParticipantsRequest&) {
                // Someone waiting sees nobody, not even a count.
                reply.answer(push::participants(room->id, me->waiting ? nullptr : view_.participants(*room, *me)));
            },
            [&](const AdmitRequest& r) { admission_.admit(reply, r.id, *room, *me); },
            [&](const DenyRequest& r) { admission_.deny(reply, r.id, *room, *me); },
            [&](const SendToWaitingRequest& r) { admission_.sendToWaiting(reply, r.id, *room, *me); },
            [&](const KickRequest& r) { admission_.kick(reply, r.id, *room, *me); },
            [&](const EndRequest&) { departures_.end(reply, *room); },
            [&](const NoteRequest& r) { notes_.note(reply, r, *room, *me); },
            [&](const RecordRequest&) { recording_.record(reply, *room, *me); },
            [&](const StopRecordRequest&) { recording_.stop(reply, *room); },
            [&](const ConsentRequest& r) { recording_.consent(reply, r, *room, *me); },
            [&](const PublishRequest& r) { publishing_.publish(reply, r, jsep, *room, *me); },
            [&](const ConfigureRequest& r) {
                sub ? subscriptions_.configure(reply, r, *sub) : publishing_.configure(reply, r, jsep, *room, *me);
            },
            [&](const UnpublishRequest&) { publishing_.unpublish(reply, *room, *me); },
            [&](const ModerateRequest& r) { publishing_.moderate(reply, r, *room, *me); },
            [&](const StartRequest&) { subscriptions_.start(reply, jsep, *sub); },
            [&](const PauseRequest&) { subscriptions_.pause(reply, *sub); },
            [&](const UpdateRequest& r) { subscriptions_.update(reply, r, *sub); },
        },
        request);
    return out;
}

Effects RoomService::sessionGone(SessionId s, int64_t now) {
    Effects out;
    state_.activity.erase(s);
    lockouts_.detached(s);
    if (state_.subscribers.contains(s))
        subscriptions_.drop(s, out, false);
    else
        departures_.handleGone(s, now, out);
    return out;
}

Effects RoomService::mediaGone(SessionId s, int64_t now) {
    Effects out;
    if (state_.subscribers.contains(s)) {
        subscriptions_.drop(s, out, false);
    } else if (Participant* p = state_.participantOf(s); p && p->publishing) {
        publishing_.stop(*state_.roomOf(s), *p, true, {}, now, out);
    }
    return out;
}

Effects RoomService::slowLink(SessionId s, bool uplink, bool video, int64_t) {
    Effects out;
    Room* room = state_.roomOf(s);
    const Participant* who = state_.participantOf(s);
    auto sub = state_.subscribers.find(s);
    if (!who && sub != state_.subscribers.end()) {
        room = &state_.rooms.at(sub->second.room);
        who = &room->participants.at(sub->second.owner);
    }
    if (!who) return out;
    const char* direction = uplink ? "to_peer" : "from_peer";
    const char* media = video ? "video" : "audio";
    out.push_back(Effect::push(s, {}, push::slowLink(room->id, direction, media)));
    out.push_back(Effect::notify(s, event::slowLink(room->id, who->pseudonym, direction, media,
                                                    sub != state_.subscribers.end() ? "subscriber" : "publisher")));
    ++state_.counters["slow_links"];
    return out;
}

Effects RoomService::recordingFailed(const std::string& room, const std::string& reason, const std::string& recording,
                                     int64_t) {
    return recording_.failed(room, reason, recording);
}

Effects RoomService::dataWhileWaiting(SessionId s, bool document, uint64_t messages) {
    Effects out;
    const Participant* p = state_.participantOf(s);
    const Room* room = state_.roomOf(s);
    if (!p || !room || !p->waiting) return out;
    state_.counters["data_refused_waiting"] += messages;
    const std::string role = roleName(p->role);
    out.push_back(Effect::notify(
        s, document ? event::documentRefused(room->id, p->pseudonym, role, errc::kDataWhileWaiting, "waiting")
                    : event::chatRefused(room->id, p->pseudonym, role, errc::kDataWhileWaiting, "waiting")));
    return out;
}

Effects RoomService::chatSealed(uint64_t ticket, const std::string& recording) {
    Effects out;
    if (auto room = recording_.chatSealed(ticket, recording)) departures_.publishPending(*room, out);
    return out;
}

Effects RoomService::tick(int64_t now) {
    Effects out;
    departures_.expire(now, out);
    return out;
}

}  // namespace hipaa::room
