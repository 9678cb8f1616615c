#include "RoomService.hpp"

#include "PermissionTable.hpp"
#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/SecureRandom.hpp"

namespace hipaa::room {
namespace {

constexpr int64_t kUs = 1000000;

bool validRoomId(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

std::string fhirReferenceOf(Role role, const FhirContext& f) {
    if (role == Role::Provider) return f.practitioner;
    if (role == Role::Patient) return f.patient;
    return {};
}

// Keeps the first non-empty value: the visit's context is what the first token that named it said.
void merge(FhirContext& into, const FhirContext& from) {
    if (into.patient.empty()) into.patient = from.patient;
    if (into.practitioner.empty()) into.practitioner = from.practitioner;
    if (into.encounter.empty()) into.encounter = from.encounter;
    if (into.appointment.empty()) into.appointment = from.appointment;
}

}  // namespace

VisitPublisher VisitPublisher::bus() {
    return {[](NoteSubmitted n) { return VisitBus::instance().publish(std::move(n)); },
            [](VisitEnded e) { return VisitBus::instance().publish(std::move(e)); }};
}

RoomService::RoomService(RoomSettings settings, std::shared_ptr<TokenVerifier> verifier, Pseudonymizer pseudonyms,
                         VisitPublisher publisher, MediaControl media)
    : settings_(std::move(settings)),
      verifier_(std::move(verifier)),
      pseudonyms_(std::move(pseudonyms)),
      publisher_(std::move(publisher)),
      media_(media),
      subjectLockout_(settings_.lockoutFailures, settings_.lockoutWindowS, settings_.lockoutS),
      sessionLockout_(settings_.sessionFailures, settings_.lockoutWindowS, settings_.lockoutS) {
    if (!settings_.classes.contains("default")) settings_.classes.emplace("default", RoomClass{});
}

std::string RoomService::newId(const char* prefix) const {
    Bytes b = secureRandomBytes(10);
    return prefix + hexEncode(b);
}

const RoomClass& RoomService::classOf(const Room& room) const { return settings_.classes.at(room.className); }

void RoomService::notify(Effects& out, SessionId s, JsonPtr body) const { out.push_back(Effect::notify(s, std::move(body))); }

void RoomService::push(Effects& out, SessionId s, const std::string& tx, JsonPtr body, JsonPtr jsep) const {
    out.push_back(Effect::push(s, tx, std::move(body), std::move(jsep)));
}

void RoomService::pushError(Effects& out, SessionId s, const std::string& tx, int code, const std::string& message) const {
    push(out, s, tx, push::error(code, message));
}

void RoomService::createRoom(const std::string& id, const std::string& className, const std::string& description,
                             int64_t now) {
    if (!validRoomId(id)) throw RequestError(errc::kInvalidField, "room: 1 to 64 of [A-Za-z0-9_-]");
    if (!settings_.classes.contains(className)) throw RequestError(errc::kInvalidField, "class: no such room class");
    if (rooms_.contains(id)) throw RequestError(rc::kRoomExists, "room exists");
    Room r;
    r.id = id;
    r.className = className;
    r.description = description;
    r.createdUs = now;
    r.visitId = newId("v_");
    rooms_.emplace(id, std::move(r));
}

// ---- what each viewer may see ----

JsonPtr RoomService::describeFor(const Room& room, const Participant& viewer, const Participant& p) const {
    JsonPtr o = jsonObject();
    jsonSet(o.get(), "id", p.id);
    jsonSet(o.get(), "role", roleName(p.role));
    NameVisibility nv = classOf(room).of(viewer.role).names;
    bool showName = nv == NameVisibility::All ||
                    (nv == NameVisibility::OwnAndProviders && (p.id == viewer.id || p.role == Role::Provider));
    if (showName && !p.name.empty()) jsonSet(o.get(), "display", p.name);
    return o;
}

JsonPtr RoomService::visibleParticipants(const Room& room, const Participant& viewer) const {
    JsonPtr arr = jsonArray();
    for (const auto& [id, p] : room.participants)
        if (!p.waiting && id != viewer.id) json_array_append_new(arr.get(), describeFor(room, viewer, p).release());
    return arr;
}

void RoomService::broadcastJoined(Room& room, const Participant& p, Effects& out) {
    for (const auto& [id, other] : room.participants) {
        if (other.waiting || id == p.id) continue;  // waiting participants learn nothing about anyone
        push(out, other.session, {}, push::participantJoined(room.id, describeFor(room, other, p)));
    }
}

void RoomService::broadcastLeaving(Room& room, const std::string& pid, Effects& out) {
    for (const auto& [id, other] : room.participants) {
        if (other.waiting || id == pid) continue;
        push(out, other.session, {}, push::leaving(room.id, pid));
    }
}

void RoomService::pushWaitingList(Room& room, Effects& out) {
    for (const auto& [id, mod] : room.participants) {
        if (mod.waiting || !classOf(room).of(mod.role).moderate) continue;
        JsonPtr list = jsonArray();
        for (const auto& [wid, w] : room.participants)
            if (w.waiting) json_array_append_new(list.get(), describeFor(room, mod, w).release());
        push(out, mod.session, {}, push::waitingList(room.id, std::move(list)));
    }
}

// ---- requests ----

void RoomService::sessionCreated(SessionId session, uint64_t janusSession) { janusSessions_[session] = janusSession; }

std::string RoomService::janusSessionKey(SessionId s) const {
    auto it = janusSessions_.find(s);
    if (it != janusSessions_.end() && it->second) return "j" + std::to_string(it->second);
    return "h" + std::to_string(s);
}

bool RoomService::rateLimited(SessionId s, int64_t nowS) const {
    return sessionLockout_.locked(janusSessionKey(s), nowS);
}

void RoomService::unverifiedFailure(SessionId s, int64_t nowS, Effects& out) {
    if (!sessionLockout_.recordFailure(janusSessionKey(s), nowS)) return;
    // Tied to the handle (Janus adds its session and handle ids); nothing about the tokens tried.
    notify(out, s, event::sessionLockout(settings_.sessionFailures, settings_.lockoutWindowS, settings_.lockoutS));
    ++counters_["lockouts_session"];
}

void RoomService::refuseJoin(SessionId s, const std::string& tx, const Room* room, int code, const std::string& reason,
                             const std::string& message, const std::string& pseudonym, Effects& out) {
    notify(out, s, event::joinRefused(room ? room->id : std::string(), code, reason, pseudonym));
    ++counters_["joins_refused"];
    ++counters_["refused_" + reason];
    pushError(out, s, tx, code, message);
}

Effects RoomService::handle(SessionId s, const std::string& tx, const json_t* message, int64_t now,
                            const json_t* jsep) {
    Effects out;
    activity_[s] = now;
    RoomRequest r;
    try {
        r = parseRoomRequest(message);
    } catch (const Error& e) {
        if (jsonString(message, "request").value_or("") != "join") {
            pushError(out, s, tx, e.code(), e.what());
            return out;
        }
        // A join the parser refused is a failed access attempt like any other: recorded, and counted
        // against the Janus session (no signature was verified).
        auto named = rooms_.find(std::string(jsonString(message, "room").value_or("")));
        const char* reason = e.code() == errc::kMissingField   ? "missing_field"
                             : e.code() == errc::kInvalidField ? "invalid_field"
                                                               : "invalid_request";
        refuseJoin(s, tx, named == rooms_.end() ? nullptr : &named->second, e.code(), reason, e.what(), {}, out);
        unverifiedFailure(s, now / kUs, out);
        return out;
    }
    auto sub = subscribers_.find(s);
    auto where = sessions_.find(s);
    using Handle = PermissionTable::Handle;
    Handle handle = sub != subscribers_.end() ? Handle::Subscriber
                    : where != sessions_.end() ? Handle::Participant
                                               : Handle::New;
    Room* room = handle == Handle::Participant ? &rooms_.at(where->second.room) : nullptr;
    Participant* me = room ? &room->participants.at(where->second.participant) : nullptr;
    const std::string name = requestName(r);
    using Access = PermissionTable::Access;
    Access access = PermissionTable::check(r, handle, me && me->waiting, me ? classOf(*room).of(me->role) : Permissions{});
    if (me && access != Access::AlreadyJoined) me->lastActivityUs = now;
    switch (access) {
        case Access::Allowed:
            break;
        case Access::NotJoined:
            pushError(out, s, tx, rc::kNotJoined, "not in a room");
            return out;
        case Access::AlreadyJoined: {
            const auto* j = std::get_if<JoinRequest>(&r);
            auto named = rooms_.find(j ? j->room : std::get<SubscriberJoinRequest>(r).room);
            refuseJoin(s, tx, named == rooms_.end() ? nullptr : &named->second, rc::kAlreadyJoined, "already_joined",
                       "already in a room", {}, out);
            return out;
        }
        case Access::SubscriberOnly:
            pushError(out, s, tx, rc::kWrongHandle, name + " is a subscriber request (join with ptype subscriber)");
            return out;
        case Access::ParticipantOnly:
            pushError(out, s, tx, rc::kWrongHandle, name + " is not a subscriber request");
            return out;
        case Access::RoleDenied:
            notify(out, s, event::roleDenied(room->id, me->pseudonym, me->role, name));
            ++counters_["role_denials"];
            pushError(out, s, tx, rc::kForbidden, "your role may not " + name);
            return out;
    }
    if (handle == Handle::Subscriber) {
        subscriberRequest(s, tx, r, jsep, sub->second, out);
    } else if (const auto* j = std::get_if<JoinRequest>(&r)) {
        join(s, tx, *j, now, out);
    } else if (const auto* sj = std::get_if<SubscriberJoinRequest>(&r)) {
        subscriberJoin(s, tx, *sj, now, out);
    } else if (std::holds_alternative<LeaveRequest>(r)) {
        push(out, s, tx, push::left(room->id));
        notify(out, s, event::left(room->id, me->pseudonym, "leave"));
        dropMedia(*room, *me, now, out, true);
        removeParticipant(*room, me->id, now, out);
    } else if (std::holds_alternative<ParticipantsRequest>(r)) {
        // Someone waiting sees nobody, not even a count.
        push(out, s, tx, push::participants(room->id, me->waiting ? nullptr : visibleParticipants(*room, *me)));
    } else if (std::holds_alternative<RecordRequest>(r) || std::holds_alternative<StopRecordRequest>(r)) {
        record(s, tx, std::holds_alternative<StopRecordRequest>(r), *room, *me, out);
    } else if (const auto* c = std::get_if<ConsentRequest>(&r)) {
        consent(s, tx, *c, *room, *me, out);
    } else if (std::holds_alternative<PublishRequest>(r) || std::holds_alternative<ConfigureRequest>(r) ||
               std::holds_alternative<UnpublishRequest>(r)) {
        const MediaSettings* settings = std::get_if<PublishRequest>(&r);
        if (!settings) settings = std::get_if<ConfigureRequest>(&r);
        if (!mediaReady()) pushError(out, s, tx, errc::kNotImplemented, "media is not available in this room plugin");
        else if (!settings) me->publishing ? unpublish(*room, *me, true, tx, now, out)
                                           : pushError(out, s, tx, rc::kNotPublishing, "not publishing");
        else if (jsep || std::holds_alternative<PublishRequest>(r)) publish(s, tx, name, *settings, jsep, *room, *me, out);
        else mute(s, tx, *settings, *room, *me, out);
    } else if (const auto* m = std::get_if<ModerateRequest>(&r)) {
        moderateMute(s, tx, *m, *room, *me, out);
    } else if (const auto* n = std::get_if<NoteRequest>(&r)) {
        note(s, tx, *n, *room, *me, now, out);
    } else {
        moderate(s, tx, r, *room, *me, now, out);
    }
    return out;
}

bool RoomService::auditRefuses(SessionId s, const std::string& tx, const char* request, const Room* room,
                               Effects& out) {
    if (!settings_.auditCheck) return false;
    std::string why = settings_.auditCheck();
    if (why.empty()) return false;
    // Announced anyway (another handler may be listening); the reason is a slug, never PHI.
    notify(out, s, event::auditUnavailable(room ? room->id : std::string(), request, why));
    ++counters_["audit_refusals"];
    pushError(out, s, tx, rc::kAuditUnavailable, "the audit trail cannot take records (" + why + "): no visit may start");
    return true;
}

void RoomService::join(SessionId s, const std::string& tx, const JoinRequest& r, int64_t now, Effects& out) {
    if (auditRefuses(s, tx, "join", nullptr, out)) return;
    int64_t nowS = now / kUs;
    // A Janus session that kept failing before any signature verified is refused before the token is
    // read; only that session: a stranger's failures never refuse anyone else's token.
    if (rateLimited(s, nowS)) {
        refuseJoin(s, tx, nullptr, rc::kRateLimited, "rate_limited",
                   "too many failed attempts from this session; try again later", {}, out);
        return;
    }
    auto it = rooms_.find(r.room);
    // One answer for "no such room" whatever the reason, so room ids cannot be probed by error.
    if (it == rooms_.end()) {
        refuseJoin(s, tx, nullptr, rc::kNoSuchRoom, "no_such_room", "no such room", {}, out);
        unverifiedFailure(s, nowS, out);
        return;
    }
    Room& room = it->second;
    const RoomClass& cls = classOf(room);
    if (room.ended) {
        refuseJoin(s, tx, &room, rc::kRoomEnded, "room_ended", "the visit has ended", {}, out);
        return;
    }
    auto subjectKey = [&](const std::string& pseudonym) { return room.id + '\n' + pseudonym; };
    JoinCheck check{.room = room.id, .allowHs256 = cls.allowHs256, .allowedRoles = cls.roles, .mfaRoles = cls.mfaRoles,
                    .dobCheck = cls.dobCheck, .dob = r.dob.empty() ? std::nullopt : std::optional(r.dob),
                    .subjectLocked = [&](const std::string& iss, const std::string& sub) {
                        return subjectLockout_.locked(subjectKey(pseudonyms_.participant(iss, sub)), nowS);
                    }};
    VerifiedToken tok;
    try {
        tok = verifier_->verify(r.token, check, nowS);
    } catch (const TokenError& e) {
        std::string pseudonym = e.sub.empty() ? std::string() : pseudonyms_.participant(e.iss, e.sub);
        refuseJoin(s, tx, &room, e.code(), e.reason(), e.what(), pseudonym, out);
        if (!e.verified) {
            unverifiedFailure(s, nowS, out);
        } else if (e.code() == rc::kTokenDobMismatch && subjectLockout_.recordFailure(subjectKey(pseudonym), nowS)) {
            // The only thing a holder of an authentic link can guess is the date of birth: that subject,
            // in this room, waits. Everyone else (the provider included) joins as usual.
            notify(out, 0,
                   event::subjectLockout(room.id, pseudonym, settings_.lockoutFailures, settings_.lockoutWindowS,
                                         settings_.lockoutS));
            ++counters_["lockouts"];
        }
        return;
    }

    Participant p;
    p.id = newId("p_");
    p.session = s;
    p.pseudonym = pseudonyms_.participant(tok.iss, tok.sub);
    p.name = tok.name.empty() ? r.display : tok.name;  // a signed name wins over a typed one
    p.sub = tok.sub;
    p.jti = tok.jti;
    p.role = tok.role;
    p.fhir = tok.fhir;
    p.joinedUs = p.lastActivityUs = now;
    p.expS = tok.exp;
    p.waiting = !cls.of(p.role).skipWaiting;
    p.feed = nextFeed_++;
    do {  // like VideoRoom's: a random 32-bit value, unique among the room plugin's participants
        Bytes rnd = secureRandomBytes(4);
        p.privateId = (uint64_t{rnd[0]} << 24 | uint64_t{rnd[1]} << 16 | uint64_t{rnd[2]} << 8 | rnd[3]) & 0x7fffffffu;
    } while (p.privateId == 0);
    if (!room.startedUs) room.startedUs = now;
    merge(room.fhir, tok.fhir);
    room.history.push_back({p.pseudonym, roleName(p.role), fhirReferenceOf(p.role, tok.fhir), now, 0});
    p.historyIndex = room.history.size() - 1;
    sessions_[s] = {room.id, p.id};
    ++counters_["joins_ok"];

    notify(out, s, event::joinAccepted(room.id, p.pseudonym, p.role, tok.alg, p.waiting));

    auto [pit, _] = room.participants.emplace(p.id, std::move(p));
    Participant& me = pit->second;
    if (me.waiting) {
        // Only the room id (which the client sent) and its own id: nothing about anyone else.
        push(out, s, tx, push::waiting(room.id, me.id));
        pushWaitingList(room, out);
    } else {
        push(out, s, tx, joinedBody(room, me));
        broadcastJoined(room, me, out);
        if (cls.of(me.role).moderate) pushWaitingList(room, out);
        askLateJoiner(room, me, out);
    }
}

void RoomService::admitNow(Room& room, Participant& p, Effects& out) {
    p.waiting = false;
    push(out, p.session, {}, joinedBody(room, p));
    broadcastJoined(room, p, out);
    pushWaitingList(room, out);
    askLateJoiner(room, p, out);
}

void RoomService::moderate(SessionId s, const std::string& tx, const RoomRequest& r, Room& room, Participant& me,
                           int64_t now, Effects& out) {
    std::string target;
    if (const auto* a = std::get_if<AdmitRequest>(&r)) target = a->id;
    if (const auto* d = std::get_if<DenyRequest>(&r)) target = d->id;
    if (const auto* w = std::get_if<SendToWaitingRequest>(&r)) target = w->id;
    if (const auto* k = std::get_if<KickRequest>(&r)) target = k->id;
    auto ok = [&](const char* what) { push(out, s, tx, push::result(room.id, what, target)); };
    if (std::holds_alternative<EndRequest>(r)) {
        ok("ended");
        endVisit(room, "ended_by_provider", now, out);
        return;
    }
    auto tit = room.participants.find(target);
    if (tit == room.participants.end()) {
        pushError(out, s, tx, rc::kNoSuchParticipant, "no such participant");
        return;
    }
    Participant& t = tit->second;
    auto decision = [&](const char* name) {
        notify(out, t.session, event::decision(name, room.id, t.pseudonym, t.role, me.pseudonym));
    };
    if (std::holds_alternative<AdmitRequest>(r)) {
        if (!t.waiting) return pushError(out, s, tx, rc::kInvalidTarget, "participant is not waiting");
        if (auditRefuses(s, tx, "admit", &room, out)) return;  // the patient keeps waiting
        ok("admitted");
        decision("admitted");
        admitNow(room, t, out);
    } else if (std::holds_alternative<DenyRequest>(r)) {
        if (!t.waiting) return pushError(out, s, tx, rc::kInvalidTarget, "participant is not waiting");
        ok("denied");
        decision("denied");
        endParticipant(room, t.id, "denied", now, out);
        pushWaitingList(room, out);
    } else if (std::holds_alternative<SendToWaitingRequest>(r)) {
        if (t.waiting || t.id == me.id) return pushError(out, s, tx, rc::kInvalidTarget, "participant is not admitted");
        ok("sent_to_waiting");
        decision("sent_to_waiting");
        std::string tid = t.id;
        dropMedia(room, t, now, out, true);
        t.waiting = true;
        broadcastLeaving(room, tid, out);
        consentLeaver(room, tid, out);
        push(out, t.session, {}, push::waiting(room.id, tid));
        pushWaitingList(room, out);
    } else if (std::holds_alternative<KickRequest>(r)) {
        if (t.id == me.id) return pushError(out, s, tx, rc::kInvalidTarget, "use leave or end");
        ok("kicked");
        decision("kicked");
        endParticipant(room, t.id, "kicked", now, out);
        pushWaitingList(room, out);
    } else {
        pushError(out, s, tx, errc::kUnknownRequest, "unknown request");
    }
}

void RoomService::note(SessionId s, const std::string& tx, const NoteRequest& r, Room& room, Participant& me,
                       int64_t now, Effects& out) {
    NoteSubmitted n;
    n.visitId = room.visitId;
    n.roomId = room.id;
    n.noteId = newId("n_");
    n.text = r.text;
    n.loincCode = r.type;
    n.authorPseudonym = me.pseudonym;
    n.submittedUs = now;
    n.fhir = me.fhir;
    merge(n.fhir, room.fhir);
    std::string noteId = n.noteId;
    VisitBus::PublishResult res = publisher_.note ? publisher_.note(std::move(n)) : VisitBus::PublishResult{};
    auto bytes = static_cast<uint64_t>(r.text.size());
    if (!res.ok() || res.delivered == 0) {
        // Never pretend: the client keeps its note and can retry.
        notify(out, s, event::noteRefused(room.id, me.pseudonym, bytes, r.type, static_cast<uint64_t>(res.delivered)));
        ++counters_["notes_refused"];
        pushError(out, s, tx, rc::kNoteNotAccepted,
                  res.delivered == 0 && res.ok() ? "no note recipient is running; note not stored"
                                                 : "note queue full; note not stored, retry");
        return;
    }
    notify(out, s, event::noteSubmitted(room.id, me.pseudonym, bytes, r.type, noteId));
    ++counters_["notes"];
    push(out, s, tx, push::noteSubmitted(room.id, noteId, bytes));
}

// ---- recording (provider's request, patients' consent) ----

bool RoomService::asksConsent(const Room& room, const Participant& p) const {
    const Permissions& perms = classOf(room).of(p.role);
    return !p.waiting && perms.recordConsent && !perms.recordControl;
}

void RoomService::pushRecordingState(Room& room, const char* state, const std::string& reason, Effects& out) {
    for (const auto& [id, p] : room.participants) {
        if (p.waiting) continue;
        push(out, p.session, {}, push::recording(room.id, state, reason));
    }
}

bool RoomService::tapped(const Room& room, const Participant& p) const {
    if (!room.recording || p.waiting) return false;
    return !classOf(room).recordConsent || !asksConsent(room, p) || room.consented.contains(p.id);
}

void RoomService::updateTapGates(Room& room) {
    if (!media_.relay) return;
    for (const auto& [id, p] : room.participants)
        if (p.publishing) media_.relay->setRecorded(p.session, tapped(room, p));
}

void RoomService::startRecording(Room& room, const std::string& by, const std::string& tx, Effects& out) {
    room.recording = true;
    room.recordingLive = false;
    room.recordingTicket = nextTicket_++;
    room.startBy = by;
    room.startTx = tx;
    starting_[room.recordingTicket] = room.id;
    Effect e{Effect::Kind::StartRecording};
    e.room = room.id;
    e.policy = classOf(room).recordingPolicy;
    e.ticket = room.recordingTicket;
    out.push_back(std::move(e));
    updateTapGates(room);
}

Effects RoomService::recordingStarted(uint64_t ticket, bool ok) {
    Effects out;
    auto it = starting_.find(ticket);
    if (it == starting_.end()) return out;
    auto rit = rooms_.find(it->second);
    starting_.erase(it);
    // Stopped (or the room destroyed) before the recorder answered: its StopRecording follows.
    if (rit == rooms_.end() || rit->second.recordingTicket != ticket) return out;
    Room& room = rit->second;
    auto req = room.participants.find(room.startBy);
    SessionId s = req != room.participants.end() ? req->second.session : 0;
    std::string by = req != room.participants.end() ? req->second.pseudonym : std::string();
    if (!ok) {
        room.recording = false;
        room.recordingTicket = 0;
        room.asked.clear();
        room.consented.clear();
        updateTapGates(room);
        notify(out, s, event::recordingRefusedByRecorder(room.id, by));
        ++counters_["recordings_failed"];
        // The recorder's message may name paths or ports: the client gets a fixed text.
        if (s) pushError(out, s, room.startTx, rc::kRecorderUnavailable, "the recorder is not available");
        return out;
    }
    room.recordingLive = true;
    notify(out, s, event::recordingStarted(room.id, by, static_cast<uint64_t>(room.consented.size())));
    ++counters_["recordings_started"];
    pushRecordingState(room, "started", {}, out);
    if (s && !room.startTx.empty()) push(out, s, room.startTx, push::result(room.id, "recording_started"));
    return out;
}

void RoomService::stopRecording(Room& room, const std::string& reason, Effects& out) {
    if (!room.recording) return;
    room.recording = false;
    room.recordingLive = false;
    room.recordingTicket = 0;
    room.asked.clear();
    room.consented.clear();
    updateTapGates(room);  // from here on no one's media reaches the tap, however long the seal takes
    uint64_t ticket = nextTicket_++;
    stopping_[ticket] = {room.id, reason};
    Effect e{Effect::Kind::StopRecording};
    e.room = room.id;
    e.ticket = ticket;
    out.push_back(std::move(e));
    pushRecordingState(room, "stopped", reason, out);
}

Effects RoomService::recordingStopped(uint64_t ticket, const std::vector<std::string>& ids, bool ok) {
    Effects out;
    auto it = stopping_.find(ticket);
    if (it == stopping_.end()) return out;
    auto [room, reason] = std::move(it->second);
    stopping_.erase(it);
    if (!ok) ++counters_["recordings_stop_failed"];
    notify(out, 0, event::recordingStopped(room, reason, ids));  // the room may be destroyed by now
    return out;
}

Effects RoomService::recordingFailed(const std::string& roomId, const std::string& reason, const std::string& recording,
                                     int64_t) {
    Effects out;
    auto it = rooms_.find(roomId);
    if (it == rooms_.end()) return out;
    Room& room = it->second;
    ++counters_["recording_failures"];
    notify(out, 0, event::recordingPartFailed(room.id, reason, recording));
    // The recording goes on for what can still be recorded; who may stop it decides.
    for (const auto& [id, p] : room.participants) {
        if (p.waiting || !classOf(room).of(p.role).recordControl) continue;
        push(out, p.session, {}, push::recording(room.id, "failed", reason));
    }
    return out;
}

void RoomService::cancelConsent(Room& room, const std::string& reason, Effects& out) {
    if (!room.consentPending) return;
    room.consentPending = false;
    for (const auto& pid : room.asked) {
        auto it = room.participants.find(pid);
        if (it == room.participants.end()) continue;
        push(out, it->second.session, {}, push::consentRequestCancelled(room.id));
    }
    auto req = room.participants.find(room.requestedBy);
    if (req != room.participants.end())
        push(out, req->second.session, {}, push::recording(room.id, "not_started", reason));
    notify(out, 0, event::recordConsent(room.id, {}, reason));
    room.asked.clear();
    room.consented.clear();
    room.requestedBy.clear();
}

void RoomService::askLateJoiner(Room& room, const Participant& p, Effects& out) {
    if (!room.recording && !room.consentPending) return;
    if (room.recordingLive) push(out, p.session, {}, push::recording(room.id, "started"));
    if (!classOf(room).recordConsent || !asksConsent(room, p)) return;
    room.asked.insert(p.id);
    push(out, p.session, {}, push::consentRequest(room.id, room.requestedBy));
}

void RoomService::consentLeaver(Room& room, const std::string& pid, Effects& out) {
    if (!room.consentPending) {
        room.asked.erase(pid);
        room.consented.erase(pid);
        return;
    }
    if (pid == room.requestedBy) return cancelConsent(room, "requester_left", out);
    if (!room.asked.erase(pid)) return;
    room.consented.erase(pid);
    if (room.asked.empty()) return cancelConsent(room, "no_patient", out);
    if (room.consented.size() == room.asked.size()) {
        room.consentPending = false;
        startRecording(room, room.requestedBy, {}, out);
    }
}

void RoomService::record(SessionId s, const std::string& tx, bool stop, Room& room, Participant& me, Effects& out) {
    const RoomClass& cls = classOf(room);
    auto answer = [&](const char* result) { push(out, s, tx, push::result(room.id, result)); };
    if (stop) {
        if (room.recording) {
            answer("recording_stopped");
            stopRecording(room, "stopped_by_provider", out);
        } else if (room.consentPending) {
            answer("recording_cancelled");
            cancelConsent(room, "cancelled_by_provider", out);
        } else {
            pushError(out, s, tx, rc::kNotRecording, "not recording");
        }
        return;
    }
    if (cls.e2ee) {
        notify(out, s, event::recordingRefused(room.id, me.pseudonym, "e2ee"));
        return pushError(out, s, tx, rc::kRecordE2ee, "this room is end-to-end encrypted and cannot be recorded");
    }
    if (room.recording || room.consentPending)
        return pushError(out, s, tx, rc::kRecordBusy, "already recording or waiting for consent");
    if (!settings_.recorder) return pushError(out, s, tx, rc::kRecorderUnavailable, "the recorder is not available");
    if (!cls.recordConsent) {
        room.consented.clear();
        startRecording(room, me.id, tx, out);  // answered once the recorder started
        return;
    }
    std::set<std::string> asked;
    for (const auto& [id, p] : room.participants)
        if (id != me.id && asksConsent(room, p)) asked.insert(id);
    if (asked.empty()) return pushError(out, s, tx, rc::kRecordNoPatient, "no admitted participant can consent to recording");
    room.consentPending = true;
    room.requestedBy = me.id;
    room.asked = std::move(asked);
    room.consented.clear();
    for (const auto& pid : room.asked)
        push(out, room.participants.at(pid).session, {}, push::consentRequest(room.id, me.id));
    notify(out, s, event::recordConsentRequested(room.id, me.pseudonym, static_cast<uint64_t>(room.asked.size())));
    answer("consent_requested");
}

void RoomService::consent(SessionId s, const std::string& tx, const ConsentRequest& r, Room& room, Participant& me,
                          Effects& out) {
    auto recordEvent = [&](const char* outcome) { notify(out, s, event::recordConsent(room.id, me.pseudonym, outcome)); };
    auto answer = [&](bool given) { push(out, s, tx, push::consentRecorded(room.id, given)); };
    bool askedMe = room.asked.contains(me.id);
    if (room.consentPending && askedMe) {
        answer(r.consent);
        if (!r.consent) {
            recordEvent("declined");
            cancelConsent(room, "declined", out);
            return;
        }
        recordEvent("granted");
        room.consented.insert(me.id);
        if (room.consented.size() < room.asked.size()) return;
        room.consentPending = false;
        startRecording(room, room.requestedBy, {}, out);
        return;
    }
    if (room.recording && !r.consent && (askedMe || asksConsent(room, me))) {
        // Withdrawal: any patient's "no" stops the recording at once.
        answer(false);
        recordEvent("withdrawn");
        stopRecording(room, "consent_withdrawn", out);
        return;
    }
    if (room.recording && r.consent && askedMe) {
        // Admitted during the recording: her media is recorded from now on, not before.
        answer(true);
        recordEvent("granted");
        room.consented.insert(me.id);
        updateTapGates(room);
        return;
    }
    pushError(out, s, tx, rc::kNoConsentPending, "no recording consent is pending");
}

// ---- leaving and ending ----

void RoomService::removeParticipant(Room& room, std::string pid, int64_t now, Effects& out) {
    auto it = room.participants.find(pid);
    if (it == room.participants.end()) return;
    bool wasWaiting = it->second.waiting;
    room.history[it->second.historyIndex].leftUs = now;
    sessions_.erase(it->second.session);
    room.participants.erase(it);
    if (!wasWaiting) broadcastLeaving(room, pid, out);
    else pushWaitingList(room, out);
    consentLeaver(room, pid, out);
}

void RoomService::endParticipant(Room& room, std::string pid, const std::string& reason, int64_t now, Effects& out,
                                 bool pushToIt) {
    auto it = room.participants.find(pid);
    if (it == room.participants.end()) return;
    SessionId s = it->second.session;
    if (pushToIt) push(out, s, {}, push::ended(room.id, reason));
    notify(out, s, event::left(room.id, it->second.pseudonym, reason));
    dropMedia(room, it->second, now, out, false);
    removeParticipant(room, pid, now, out);
    out.push_back(Effect::end(s));
}

void RoomService::endVisit(Room& room, const std::string& reason, int64_t now, Effects& out) {
    if (room.ended) return;
    cancelConsent(room, "visit_ended", out);
    stopRecording(room, "visit_ended", out);
    room.ended = true;
    room.endedUs = now;
    for (auto& [id, p] : room.participants) {
        dropMedia(room, p, now, out, false);
        push(out, p.session, {}, push::ended(room.id, reason));
        room.history[p.historyIndex].leftUs = now;
        sessions_.erase(p.session);
        out.push_back(Effect::end(p.session));
    }
    room.participants.clear();

    VisitEnded v;
    v.visitId = room.visitId;
    v.roomId = room.id;
    v.reason = reason;
    v.startedUs = room.startedUs ? room.startedUs : room.createdUs;
    v.endedUs = now;
    v.fhir = room.fhir;
    v.participants = room.history;
    VisitBus::PublishResult res = publisher_.ended ? publisher_.ended(std::move(v)) : VisitBus::PublishResult{};
    notify(out, 0,
           event::visitEnded(room.id, reason, static_cast<uint64_t>(room.history.size()),
                             (now - (room.startedUs ? room.startedUs : now)) / kUs,
                             static_cast<uint64_t>(res.delivered), static_cast<uint64_t>(res.refused)));
    ++counters_["visits_ended"];
}

Effects RoomService::sessionGone(SessionId s, int64_t now) {
    Effects out;
    activity_.erase(s);
    janusSessions_.erase(s);
    if (subscribers_.contains(s)) {
        dropSubscriber(s, out, false);
        return out;
    }
    auto where = sessions_.find(s);
    if (where == sessions_.end()) return out;
    Room& room = rooms_.at(where->second.room);
    auto it = room.participants.find(where->second.participant);
    if (it != room.participants.end()) {
        notify(out, 0, event::left(room.id, it->second.pseudonym, "hangup"));
        dropMedia(room, it->second, now, out, false);
        removeParticipant(room, it->first, now, out);
    }
    sessions_.erase(s);
    return out;
}

Effects RoomService::tick(int64_t now) {
    Effects out;
    int64_t nowS = now / kUs;
    for (auto& [rid, room] : rooms_) {
        if (room.ended) continue;
        const RoomClass& cls = classOf(room);
        if (room.startedUs && now - room.startedUs > cls.maxVisitS * kUs) {
            endVisit(room, "max_visit_length", now, out);
            continue;
        }
        std::vector<std::pair<std::string, const char*>> expired;
        for (auto& [pid, p] : room.participants) {
            if (media_.relay && (p.publishing || !p.subscribers.empty())) {  // media flowing counts as activity
                uint64_t n = media_.relay->packetsFrom(p.session);
                for (SessionId sub : p.subscribers) n += media_.relay->packetsTo(sub);
                if (n != p.mediaPackets) {
                    p.mediaPackets = n;
                    p.lastActivityUs = now;
                }
            }
            if (p.publishing) flushChat(room, p, now, false, out);  // chat counts as activity too
            if (now - p.lastActivityUs > cls.idleTimeoutS * kUs) expired.emplace_back(pid, "idle_timeout");
            else if (cls.endOnTokenExpiry && nowS > p.expS + verifier_->policy().skewS)
                expired.emplace_back(pid, "token_expired");
        }
        for (const auto& [pid, reason] : expired) endParticipant(room, pid, reason, now, out);
    }
    return out;
}

// ---- Admin API ----

JsonPtr RoomService::admin(const json_t* req, int64_t now, Effects& out) {
    std::string what(jsonRequireString(req, "request"));
    auto roomArg = [&]() -> Room& {
        std::string id(jsonRequireString(req, "room"));
        if (!validRoomId(id)) throw RequestError(errc::kInvalidField, "room: 1 to 64 of [A-Za-z0-9_-]");
        auto it = rooms_.find(id);
        if (it == rooms_.end()) throw RequestError(rc::kNoSuchRoom, "no such room");
        return it->second;
    };
    JsonPtr res = jsonObject();
    if (what == "create") {
        auto room = jsonOptionalString(req, "room");  // createRoom checks the id's form
        auto cls = jsonOptionalString(req, "class", 1, 64);
        auto desc = jsonOptionalString(req, "description", 0, kMaxDescriptionBytes);
        std::string id = room ? std::string(*room) : newId("r_");
        createRoom(id, std::string(cls.value_or("default")), std::string(desc.value_or("")), now);
        const std::string& className = rooms_.at(id).className;
        jsonSet(res.get(), "room", id);
        jsonSet(res.get(), "class", className);
        notify(out, 0, event::roomCreated(id, className));
    } else if (what == "destroy") {
        Room& room = roomArg();
        std::string id = room.id;
        endVisit(room, "destroyed", now, out);
        rooms_.erase(id);
        jsonSet(res.get(), "destroyed", id);
        notify(out, 0, event::roomDestroyed(id));
    } else if (what == "list") {
        JsonPtr list = jsonArray();
        for (const auto& [id, r] : rooms_) {
            JsonPtr o = jsonObject();
            jsonSet(o.get(), "room", id);
            jsonSet(o.get(), "class", r.className);
            jsonSet(o.get(), "ended", r.ended);
            size_t waiting = 0;
            for (const auto& [pid, p] : r.participants) waiting += p.waiting ? 1 : 0;
            jsonSet(o.get(), "participants", static_cast<uint64_t>(r.participants.size() - waiting));
            jsonSet(o.get(), "waiting", static_cast<uint64_t>(waiting));
            json_array_append_new(list.get(), o.release());
        }
        jsonSet(res.get(), "rooms", std::move(list));
    } else if (what == "info") {
        Room& room = roomArg();
        jsonSet(res.get(), "room", room.id);
        jsonSet(res.get(), "class", room.className);
        jsonSet(res.get(), "visit", room.visitId);
        jsonSet(res.get(), "ended", room.ended);
        jsonSet(res.get(), "started_us", room.startedUs);
        jsonSet(res.get(), "has_description", !room.description.empty());  // the text itself is PHI
        size_t locked = subjectLockout_.lockedCount(room.id + '\n', now / kUs);
        jsonSet(res.get(), "locked_subjects", static_cast<uint64_t>(locked));
        JsonPtr list = jsonArray();
        for (const auto& [pid, p] : room.participants) {
            JsonPtr o = jsonObject();
            jsonSet(o.get(), "id", pid);
            jsonSet(o.get(), "participant", p.pseudonym);
            jsonSet(o.get(), "role", roleName(p.role));
            jsonSet(o.get(), "state", p.waiting ? "waiting" : "admitted");
            json_array_append_new(list.get(), o.release());
        }
        jsonSet(res.get(), "participants", std::move(list));
    } else if (what == "stats") {
        jsonSet(res.get(), "rooms", static_cast<uint64_t>(rooms_.size()));
        jsonSet(res.get(), "sessions", static_cast<uint64_t>(activity_.size()));
        jsonSet(res.get(), "participants", static_cast<uint64_t>(sessions_.size()));
        jsonSet(res.get(), "replay_cache", static_cast<uint64_t>(verifier_->replay().size()));
        jsonSet(res.get(), "revocations", static_cast<uint64_t>(verifier_->revocations().size()));
        JsonPtr c = jsonObject();
        for (const auto& [k, v] : counters_) jsonSet(c.get(), k.c_str(), v);
        jsonSet(res.get(), "counters", std::move(c));
    } else if (what == "revoke") {
        // No join token (at most 8 KiB) carries a longer sub or jti.
        auto sub = jsonOptionalString(req, "sub", 1, 8192);
        auto jti = jsonOptionalString(req, "jti", 1, 8192);
        auto ttlField = jsonOptionalInt(req, "ttl", 1, 366LL * 24 * 3600);
        if (!sub && !jti) throw RequestError(errc::kMissingField, "missing field: sub or jti");
        int64_t ttl = ttlField.value_or(verifier_->policy().maxLifetimeS + verifier_->policy().skewS);
        int64_t until = now / kUs + ttl;
        if (sub) verifier_->revocations().revokeSubject(std::string(*sub), until);
        if (jti) verifier_->revocations().revokeTokenId(std::string(*jti), until);
        uint64_t ended = 0;
        for (auto& [rid, room] : rooms_) {
            std::vector<std::string> hit;
            for (const auto& [pid, p] : room.participants)
                if ((sub && p.sub == *sub) || (jti && p.jti == *jti)) hit.push_back(pid);
            for (const auto& pid : hit) {
                endParticipant(room, pid, "revoked", now, out);
                ++ended;
            }
        }
        jsonSet(res.get(), "revoked", true);
        jsonSet(res.get(), "sessions_ended", ended);
        jsonSet(res.get(), "until", until);
        notify(out, 0, event::revoked(sub ? "sub" : "jti", ended));
        ++counters_["revocations"];
    } else {
        throw RequestError(errc::kUnknownRequest, "unknown request");
    }
    return res;
}

}  // namespace hipaa::room
