// SPDX-License-Identifier: GPL-3.0-or-later
#include "Admission.hpp"

#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"

#include "hipaa/Clock.hpp"
#include "hipaa/SecureRandom.hpp"

namespace hipaa::room {
namespace {

std::string fhirReferenceOf(Role role, const FhirContext& f) {
    if (role == Role::Provider) return f.practitioner;
    if (role == Role::Patient) return f.patient;
    return {};
}

// Like VideoRoom's: a random 31-bit value, never 0.
uint64_t newPrivateId() {
    uint64_t id = 0;
    do {
        Bytes rnd = secureRandomBytes(4);
        id = (uint64_t{rnd[0]} << 24 | uint64_t{rnd[1]} << 16 | uint64_t{rnd[2]} << 8 | rnd[3]) & 0x7fffffffu;
    } while (id == 0);
    return id;
}

}  // namespace

void Admission::join(const Reply& reply, const JoinRequest& request) {
    if (auditRefuses(reply, "join", nullptr)) return;
    int64_t nowS = reply.nowUs / kUsPerSecond;
    // A Janus session that kept failing before any signature verified is refused before the token is
    // read; only that session: a stranger's failures never refuse anyone else's token.
    if (lockouts_.rateLimited(reply.session, nowS))
        return refuse(reply, nullptr, errc::kRateLimited, "rate_limited",
                      "too many failed attempts from this session; try again later");
    auto it = state_.rooms.find(request.room);
    // One answer for "no such room" whatever the reason, so room ids cannot be probed by error.
    if (it == state_.rooms.end()) {
        refuse(reply, nullptr, errc::kNoSuchRoom, "no_such_room", "no such room");
        return lockouts_.unverifiedFailure(reply.session, nowS, reply.out);
    }
    Room& room = it->second;
    const RoomClass& cls = state_.classOf(room);
    if (room.ended) return refuse(reply, &room, errc::kRoomEnded, "room_ended", "the visit has ended");
    JoinCheck check{.room = room.id,
                    .allowHs256 = cls.allowHs256,
                    .allowedRoles = cls.roles,
                    .mfaRoles = cls.mfaRoles,
                    .dobCheck = cls.dobCheck,
                    .dob = request.dob.empty() ? std::nullopt : std::optional(request.dob),
                    .subjectLocked =
                        [&](const std::string& iss, const std::string& sub) {
                            return lockouts_.subjectLocked(room, pseudonyms_.participant(iss, sub), nowS);
                        },
                    .shared = nullptr};
    SharedTokenState* shared = state_.settings.shared.get();
    std::optional<SharedTokenState::Join> spent;  // given back to the shared store on a wrong date of birth
    if (shared) check.shared = [&](const VerifiedToken& t) { spent = sharedSpend(*shared, t, room.id, nowS); };
    VerifiedToken token;
    try {
        token = verifier_->verify(request.token, check, nowS);
    } catch (const TokenError& e) {
        std::string pseudonym = e.sub.empty() ? std::string() : pseudonyms_.participant(e.iss, e.sub);
        refuse(reply, &room, e.code(), e.reason(), e.what(), pseudonym);
        if (!e.verified)
            lockouts_.unverifiedFailure(reply.session, nowS, reply.out);
        else if (e.code() == errc::kTokenDobMismatch)
            dobMismatch(reply, room, pseudonym, shared, spent, nowS);
        return;
    }
    Participant& me = admitToRoom(reply, request, token, room);
    if (me.waiting) {
        // Only the room id (which the client sent) and its own id: nothing about anyone else.
        reply.answer(push::waiting(room.id, me.id, view_.policy(room, reply.nowUs)));
        view_.pushWaitingList(room, reply.out);
    } else {
        reply.answer(view_.joined(room, me, reply.nowUs));
        view_.announceJoined(room, me, reply.out);
        if (state_.permissionsOf(room, me).moderate) view_.pushWaitingList(room, reply.out);
        recording_.admitted(room, me, reply.out);
    }
}

bool Admission::vouch(const Reply& reply, const JoinRequest& request, const RoomClass& cls) {
    int64_t nowS = reply.nowUs / kUsPerSecond;
    if (lockouts_.rateLimited(reply.session, nowS)) {
        refuse(reply, nullptr, errc::kRateLimited, "rate_limited",
               "too many failed attempts from this session; try again later");
        return false;
    }
    JoinCheck check{.room = request.room,
                    .allowHs256 = cls.allowHs256,
                    .allowedRoles = cls.roles,
                    .mfaRoles = cls.mfaRoles,
                    .dobCheck = false,
                    .dob = std::nullopt,
                    .subjectLocked = nullptr,
                    .shared = nullptr,
                    .spend = false};
    // The subject's lockout and the spent jtis of every instance are in the store.
    if (SharedTokenState* shared = state_.settings.shared.get())
        // `shared` by value: it lives in this if-statement only, the lambda runs later in verify().
        check.shared = [this, shared, &request, nowS](const VerifiedToken& t) {
            sharedSpend(*shared, t, request.room, nowS, false);
        };
    try {
        verifier_->verify(request.token, check, nowS);
    } catch (const TokenError& e) {
        std::string pseudonym = e.sub.empty() ? std::string() : pseudonyms_.participant(e.iss, e.sub);
        refuse(reply, nullptr, e.code(), e.reason(), e.what(), pseudonym);
        if (!e.verified) lockouts_.unverifiedFailure(reply.session, nowS, reply.out);
        return false;
    }
    return true;
}

SharedTokenState::Join Admission::sharedSpend(SharedTokenState& shared, const VerifiedToken& t, const std::string& room,
                                              int64_t nowS, bool spend) {
    SharedTokenState::Join j{.iss = t.iss,
                             .jti = t.jti,
                             .subject = SharedTokenState::subjectKey(pseudonyms_, t.sub),
                             .room = room,
                             .pseudonym = pseudonyms_.participant(t.iss, t.sub),
                             .forgetAt = t.exp + verifier_->policy().skewS};
    SharedTokenState::Verdict verdict{};
    try {
        verdict = spend ? shared.spend(j, nowS) : shared.peek(j, nowS);
    } catch (const Error&) {
        // Not known whether another instance spent or revoked it: no join (running visits go on).
        throw TokenError(errc::kSharedStateUnavailable, "shared_state_unavailable",
                         "the shared token state cannot be reached: no new join now; retry later");
    }
    switch (verdict) {
        case SharedTokenState::Verdict::Fresh:
            break;
        case SharedTokenState::Verdict::Replayed:
            throw TokenError(errc::kTokenReplayed, "replayed", "token already used");
        case SharedTokenState::Verdict::Revoked:
            throw TokenError(errc::kTokenRevoked, "revoked", "token or subject revoked");
        case SharedTokenState::Verdict::Locked:
            throw TokenError(errc::kRoomLockedOut, "locked_out",
                             "too many failed date-of-birth checks; try again later");
    }
    return j;
}

void Admission::dobMismatch(const Reply& reply, const Room& room, const std::string& pseudonym,
                            SharedTokenState* shared, const std::optional<SharedTokenState::Join>& spent,
                            int64_t nowS) {
    if (shared && spent) {
        const RoomSettings& cfg = state_.settings;
        try {
            if (shared->dobFailure(*spent, {cfg.lockoutFailures, cfg.lockoutWindowS, cfg.lockoutS}, nowS))
                lockouts_.subjectLockStarted(room, pseudonym, reply.out);
            return;
        } catch (const Error&) {
            // Counted here at least; the jti stays spent (the patient asks for a new link).
        }
    }
    lockouts_.dobMismatch(room, pseudonym, nowS, reply.out);
}

Participant& Admission::admitToRoom(const Reply& reply, const JoinRequest& request, const VerifiedToken& token,
                                    Room& room) {
    Participant p;
    p.id = RoomState::newId("p_");
    p.session = reply.session;
    p.pseudonym = pseudonyms_.participant(token.iss, token.sub);
    p.name = token.name.empty() ? request.display : token.name;  // a signed name wins over a typed one
    p.sub = token.sub;
    p.jti = token.jti;
    if (state_.settings.shared) p.subjectKey = SharedTokenState::subjectKey(pseudonyms_, token.sub);
    p.role = token.role;
    p.fhir = token.fhir;
    p.joinedUs = p.lastActivityUs = reply.nowUs;
    p.expS = token.exp;
    p.waiting = !state_.classOf(room).of(p.role).skipWaiting;
    p.feed = state_.nextFeed++;
    p.privateId = newPrivateId();  // unique in practice among the room plugin's participants
    if (!room.startedUs) room.startedUs = reply.nowUs;
    mergeFhir(room.fhir, token.fhir);
    room.history.push_back({p.pseudonym, roleName(p.role), fhirReferenceOf(p.role, token.fhir), reply.nowUs, 0});
    p.historyIndex = room.history.size() - 1;
    state_.participants[reply.session] = {room.id, p.id};
    ++state_.counters["joins_ok"];
    reply.notify(event::joinAccepted(room.id, p.pseudonym, p.role, token.alg, p.waiting));
    return room.participants.emplace(p.id, std::move(p)).first->second;
}

void Admission::refuseUnparsed(const Reply& reply, const json_t* message, const Error& error) {
    auto named = state_.rooms.find(std::string(jsonString(message, "room").value_or("")));
    const char* reason = error.code() == errc::kMissingField   ? "missing_field"
                         : error.code() == errc::kInvalidField ? "invalid_field"
                                                               : "invalid_request";
    refuse(reply, named == state_.rooms.end() ? nullptr : &named->second, error.code(), reason, error.what());
    lockouts_.unverifiedFailure(reply.session, reply.nowUs / kUsPerSecond, reply.out);
}

void Admission::refuseAlreadyJoined(const Reply& reply, const std::string& roomId) {
    auto named = state_.rooms.find(roomId);
    refuse(reply, named == state_.rooms.end() ? nullptr : &named->second, errc::kAlreadyJoined, "already_joined",
           "already in a room");
}

void Admission::admit(const Reply& reply, const std::string& id, Room& room, const Participant& me) {
    Participant* t = target(reply, room, id);
    if (!t) return;
    if (!t->waiting) return reply.error(errc::kInvalidTarget, "participant is not waiting");
    if (auditRefuses(reply, "admit", &room)) return;  // the patient keeps waiting
    decided(reply, "admitted", room, *t, me);
    t->waiting = false;
    reply.out.push_back(Effect::push(t->session, {}, view_.joined(room, *t, reply.nowUs)));
    view_.announceJoined(room, *t, reply.out);
    view_.pushWaitingList(room, reply.out);
    recording_.admitted(room, *t, reply.out);
}

void Admission::deny(const Reply& reply, const std::string& id, Room& room, const Participant& me) {
    Participant* t = target(reply, room, id);
    if (!t) return;
    if (!t->waiting) return reply.error(errc::kInvalidTarget, "participant is not waiting");
    decided(reply, "denied", room, *t, me);
    departures_.endParticipant(room, t->id, "denied", reply.nowUs, reply.out);
    view_.pushWaitingList(room, reply.out);
}

void Admission::sendToWaiting(const Reply& reply, const std::string& id, Room& room, const Participant& me) {
    Participant* t = target(reply, room, id);
    if (!t) return;
    if (t->waiting || t->id == me.id) return reply.error(errc::kInvalidTarget, "participant is not admitted");
    decided(reply, "sent_to_waiting", room, *t, me);
    std::string tid = t->id;
    departures_.dropMedia(room, *t, reply.nowUs, reply.out, true);
    t->waiting = true;
    view_.announceLeaving(room, tid, reply.out);
    recording_.left(room, tid, reply.out);
    reply.out.push_back(Effect::push(t->session, {}, push::waiting(room.id, tid, view_.policy(room, reply.nowUs))));
    view_.pushWaitingList(room, reply.out);
}

void Admission::kick(const Reply& reply, const std::string& id, Room& room, const Participant& me) {
    Participant* t = target(reply, room, id);
    if (!t) return;
    if (t->id == me.id) return reply.error(errc::kInvalidTarget, "use leave or end");
    decided(reply, "kicked", room, *t, me);
    departures_.endParticipant(room, t->id, "kicked", reply.nowUs, reply.out);
    view_.pushWaitingList(room, reply.out);
}

bool Admission::auditRefuses(const Reply& reply, const char* request, const Room* room) {
    if (!state_.settings.auditCheck) return false;
    std::string why = state_.settings.auditCheck();
    if (why.empty()) return false;
    // Announced anyway (another handler may be listening); the reason is a slug, never PHI.
    reply.notify(event::auditUnavailable(room ? room->id : std::string(), request, why));
    ++state_.counters["audit_refusals"];
    reply.error(errc::kAuditUnavailable, "the audit trail cannot take records (" + why + "): no visit may start");
    return true;
}

void Admission::refuse(const Reply& reply, const Room* room, int code, const std::string& reason,
                       const std::string& message, const std::string& pseudonym) {
    reply.notify(event::joinRefused(room ? room->id : std::string(), code, reason, pseudonym));
    ++state_.counters["joins_refused"];
    ++state_.counters["refused_" + reason];
    reply.error(code, message);
}

Participant* Admission::target(const Reply& reply, Room& room, const std::string& id) {
    auto it = room.participants.find(id);
    if (it != room.participants.end()) return &it->second;
    reply.error(errc::kNoSuchParticipant, "no such participant");
    return nullptr;
}

void Admission::decided(const Reply& reply, const char* name, const Room& room, const Participant& t,
                        const Participant& by) {
    reply.answer(push::result(room.id, name, t.id));
    reply.out.push_back(Effect::notify(t.session, event::decision(name, room.id, t.pseudonym, t.role, by.pseudonym)));
}

}  // namespace hipaa::room
