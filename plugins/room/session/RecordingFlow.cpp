// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingFlow.hpp"

#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"

#include <algorithm>
#include <set>

namespace hipaa::room {

// ---- requests ----

void RecordingFlow::record(const Reply& reply, Room& room, const Participant& me) {
    const RoomClass& cls = state_.classOf(room);
    Room::Recording& rec = room.recording;
    if (cls.e2ee) {
        reply.notify(event::recordingRefused(room.id, me.pseudonym, "e2ee"));
        return reply.error(errc::kRecordE2ee, "this room is end-to-end encrypted and cannot be recorded");
    }
    if (rec.active || rec.consentPending)
        return reply.error(errc::kRecordBusy, "already recording or waiting for consent");
    if (!state_.settings.recorder) return reply.error(errc::kRecorderUnavailable, "the recorder is not available");
    if (!cls.recordConsent) {
        rec.consented.clear();
        startRecording(room, me.id, reply.transaction, reply.out);  // answered once the recorder started
        return;
    }
    std::set<std::string> asked;
    for (const auto& [id, p] : room.participants)
        if (id != me.id && asksConsent(room, p)) asked.insert(id);
    if (asked.empty()) return reply.error(errc::kRecordNoPatient, "no admitted participant can consent to recording");
    rec.consentPending = true;
    rec.requestedBy = me.id;
    rec.asked = std::move(asked);
    rec.consented.clear();
    for (const auto& pid : rec.asked)
        reply.out.push_back(Effect::push(room.participants.at(pid).session, {}, push::consentRequest(room.id, me.id)));
    reply.notify(event::recordConsentRequested(room.id, me.pseudonym, static_cast<uint64_t>(rec.asked.size())));
    reply.answer(push::result(room.id, "consent_requested"));
}

void RecordingFlow::stop(const Reply& reply, Room& room) {
    if (room.recording.active) {
        reply.answer(push::result(room.id, "recording_stopped"));
        stopRecording(room, "stopped_by_provider", reply.out);
    } else if (room.recording.consentPending) {
        reply.answer(push::result(room.id, "recording_cancelled"));
        cancelConsent(room, "cancelled_by_provider", reply.out);
    } else {
        reply.error(errc::kNotRecording, "not recording");
    }
}

void RecordingFlow::consent(const Reply& reply, const ConsentRequest& request, Room& room, const Participant& me) {
    Room::Recording& rec = room.recording;
    auto recordEvent = [&](const char* outcome) { reply.notify(event::recordConsent(room.id, me.pseudonym, outcome)); };
    auto answer = [&](bool given) { reply.answer(push::consentRecorded(room.id, given)); };
    bool askedMe = rec.asked.contains(me.id);
    if (rec.consentPending && askedMe) {
        answer(request.consent);
        if (!request.consent) {
            recordEvent("declined");
            return cancelConsent(room, "declined", reply.out);
        }
        recordEvent("granted");
        rec.consented.insert(me.id);
        if (rec.consented.size() < rec.asked.size()) return;
        rec.consentPending = false;
        return startRecording(room, rec.requestedBy, {}, reply.out);
    }
    if (rec.active && !request.consent && (askedMe || asksConsent(room, me))) {
        // Withdrawal: any patient's "no" stops the recording at once.
        answer(false);
        recordEvent("withdrawn");
        return stopRecording(room, "consent_withdrawn", reply.out);
    }
    if (rec.active && request.consent && askedMe) {
        // Admitted during the recording: her media is recorded from now on, not before.
        answer(true);
        recordEvent("granted");
        rec.consented.insert(me.id);
        return updateTapGates(room);
    }
    reply.error(errc::kNoConsentPending, "no recording consent is pending");
}

// ---- the recorder's answers and reports ----

Effects RecordingFlow::started(uint64_t ticket, bool ok) {
    Effects out;
    auto it = starting_.find(ticket);
    if (it == starting_.end()) return out;
    auto rit = state_.rooms.find(it->second);
    starting_.erase(it);
    // Stopped (or the room destroyed) before the recorder answered: its StopRecording follows.
    if (rit == state_.rooms.end() || rit->second.recording.ticket != ticket) return out;
    Room& room = rit->second;
    Room::Recording& rec = room.recording;
    auto req = room.participants.find(rec.startBy);
    SessionId s = req != room.participants.end() ? req->second.session : 0;
    std::string by = req != room.participants.end() ? req->second.pseudonym : std::string();
    if (!ok) {
        rec.active = false;
        rec.ticket = 0;
        rec.asked.clear();
        rec.consented.clear();
        updateTapGates(room);
        out.push_back(Effect::notify(s, event::recordingRefusedByRecorder(room.id, by)));
        ++state_.counters["recordings_failed"];
        // The recorder's message may name paths or ports: the client gets a fixed text.
        if (s)
            out.push_back(
                Effect::push(s, rec.startTx, push::error(errc::kRecorderUnavailable, "the recorder is not available")));
        return out;
    }
    rec.live = true;
    out.push_back(Effect::notify(s, event::recordingStarted(room.id, by, static_cast<uint64_t>(rec.consented.size()))));
    ++state_.counters["recordings_started"];
    pushState(room, "started", {}, out);
    if (s && !rec.startTx.empty())
        out.push_back(Effect::push(s, rec.startTx, push::result(room.id, "recording_started")));
    return out;
}

Effects RecordingFlow::stopped(uint64_t ticket, const std::vector<std::string>& ids, bool ok) {
    Effects out;
    auto it = stopping_.find(ticket);
    if (it == stopping_.end()) return out;
    auto [room, reason] = std::move(it->second);
    stopping_.erase(it);
    if (!ok) ++state_.counters["recordings_stop_failed"];
    out.push_back(Effect::notify(0, event::recordingStopped(room, reason, ids)));  // the room may be gone by now
    return out;
}

Effects RecordingFlow::failed(const std::string& roomId, const std::string& reason, const std::string& recording) {
    Effects out;
    auto it = state_.rooms.find(roomId);
    if (it == state_.rooms.end()) return out;
    Room& room = it->second;
    ++state_.counters["recording_failures"];
    out.push_back(Effect::notify(0, event::recordingPartFailed(room.id, reason, recording)));
    // The recording goes on for what can still be recorded; who may stop it decides.
    for (const auto& [id, p] : room.participants) {
        if (p.waiting || !state_.permissionsOf(room, p).recordControl) continue;
        out.push_back(Effect::push(p.session, {}, push::recording(room.id, "failed", reason)));
    }
    return out;
}

Effects RecordingFlow::chatUnkept(const std::string& roomId, const std::string& reason) {
    Effects out;
    auto it = state_.rooms.find(roomId);
    if (it == state_.rooms.end() || it->second.ended) return out;
    Room& room = it->second;
    ++state_.counters["chat_unkept"];
    out.push_back(Effect::notify(0, event::chatUnkept(room.id, reason)));
    for (const auto& [id, p] : room.participants)
        if (!p.waiting) out.push_back(Effect::push(p.session, {}, push::chatUnkept(room.id, reason)));
    return out;
}

// ---- participants coming and going ----

bool RecordingFlow::tapped(const Room& room, const Participant& p) const {
    if (!room.recording.active || p.waiting) return false;
    return !state_.classOf(room).recordConsent || !asksConsent(room, p) || room.recording.consented.contains(p.id);
}

void RecordingFlow::admitted(Room& room, const Participant& p, Effects& out) {
    // A provider or patient the kept chat's context does not name yet (e.g. the patient admitted after
    // the provider published): the chat continues in a new segment whose context names them, so their
    // access to it (and their patient copy) follows from the recording like any other.
    if (room.chatKeeping && (p.role == Role::Provider || p.role == Role::Patient) && !p.pseudonym.empty() &&
        !room.chatContext.contains(p.pseudonym)) {
        stopChat(room, out);
        keepChat(room, out);
    }
    Room::Recording& rec = room.recording;
    if (!rec.active && !rec.consentPending) return;
    if (rec.live) out.push_back(Effect::push(p.session, {}, push::recording(room.id, "started")));
    if (!state_.classOf(room).recordConsent || !asksConsent(room, p)) return;
    rec.asked.insert(p.id);
    out.push_back(Effect::push(p.session, {}, push::consentRequest(room.id, rec.requestedBy)));
}

void RecordingFlow::left(Room& room, const std::string& pid, Effects& out) {
    Room::Recording& rec = room.recording;
    if (!rec.consentPending) {
        rec.asked.erase(pid);
        rec.consented.erase(pid);
        return;
    }
    if (pid == rec.requestedBy) return cancelConsent(room, "requester_left", out);
    if (!rec.asked.erase(pid)) return;
    rec.consented.erase(pid);
    if (rec.asked.empty()) return cancelConsent(room, "no_patient", out);
    if (rec.consented.size() == rec.asked.size()) {
        rec.consentPending = false;
        startRecording(room, rec.requestedBy, {}, out);
    }
}

void RecordingFlow::visitEnding(Room& room, Effects& out) {
    cancelConsent(room, "visit_ended", out);
    stopRecording(room, "visit_ended", out);
    if (room.chatKeeping) stopChat(room, out);
}

void RecordingFlow::stopChat(Room& room, Effects& out) {
    room.chatKeeping = false;
    Effect e{Effect::Kind::StopChat};
    e.room = room.id;
    e.ticket = nextTicket_++;
    chatStopping_[e.ticket] = room.id;
    ++room.chatStopsPending;
    out.push_back(std::move(e));
}

std::optional<std::string> RecordingFlow::chatSealed(uint64_t ticket, const std::string& recording) {
    auto it = chatStopping_.find(ticket);
    if (it == chatStopping_.end()) return std::nullopt;
    std::string id = it->second;
    chatStopping_.erase(it);
    if (auto rit = state_.rooms.find(id); rit != state_.rooms.end()) {
        Room& room = rit->second;
        if (!recording.empty()) room.keptRecordings.push_back(recording);
        if (room.chatStopsPending > 0) --room.chatStopsPending;
    }
    // The visit's end waiting for it (the room may be gone: destroyed after the end).
    auto pit = state_.endsAwaitingSeal.find(id);
    if (pit == state_.endsAwaitingSeal.end()) return std::nullopt;
    PendingVisitEnd& pending = pit->second;
    if (!recording.empty()) pending.visit.keptRecordings.push_back(recording);
    if (pending.stopsPending > 0) --pending.stopsPending;
    if (pending.stopsPending == 0) return id;
    return std::nullopt;
}

void RecordingFlow::keepChat(Room& room, Effects& out) const {
    const RoomClass& cls = state_.classOf(room);
    if (!cls.keeper() || room.chatKeeping) return;
    room.chatKeeping = true;
    Effect e{Effect::Kind::KeepChat};
    e.room = room.id;
    e.policy = cls.recordingPolicy;
    e.context = context(room);
    room.chatContext.clear();
    room.chatContext.insert(e.context.providers.begin(), e.context.providers.end());
    room.chatContext.insert(e.context.patients.begin(), e.context.patients.end());
    out.push_back(std::move(e));
}

// ---- internals ----

bool RecordingFlow::asksConsent(const Room& room, const Participant& p) const {
    const Permissions& perms = state_.permissionsOf(room, p);
    return !p.waiting && perms.recordConsent && !perms.recordControl;
}

void RecordingFlow::updateTapGates(Room& room) {
    if (!relay_) return;
    for (const auto& [id, p] : room.participants)
        if (p.publishing) relay_->setRecorded(p.session, tapped(room, p));
}

void RecordingFlow::startRecording(Room& room, const std::string& by, const std::string& tx, Effects& out) {
    Room::Recording& rec = room.recording;
    rec.active = true;
    rec.live = false;
    rec.ticket = nextTicket_++;
    rec.startBy = by;
    rec.startTx = tx;
    starting_[rec.ticket] = room.id;
    Effect e{Effect::Kind::StartRecording};
    e.room = room.id;
    e.policy = state_.classOf(room).recordingPolicy;
    e.ticket = rec.ticket;
    e.context = context(room);
    out.push_back(std::move(e));
    updateTapGates(room);
}

RecordingContext RecordingFlow::context(const Room& room) const {
    RecordingContext c;
    c.visit = room.visitId;
    c.room = room.id;
    for (const auto& [id, p] : room.participants) {
        if (p.waiting || p.pseudonym.empty()) continue;
        auto* list = p.role == Role::Provider ? &c.providers : p.role == Role::Patient ? &c.patients : nullptr;
        // The recorder keeps at most 16 of each; past that a participant only loses access to the recording.
        if (list && list->size() < kContextMax && std::find(list->begin(), list->end(), p.pseudonym) == list->end())
            list->push_back(p.pseudonym);
    }
    return c;
}

void RecordingFlow::stopRecording(Room& room, const std::string& reason, Effects& out) {
    Room::Recording& rec = room.recording;
    if (!rec.active) return;
    rec.active = false;
    rec.live = false;
    rec.ticket = 0;
    rec.asked.clear();
    rec.consented.clear();
    updateTapGates(room);  // from here on no one's media reaches the tap, however long the seal takes
    uint64_t ticket = nextTicket_++;
    stopping_[ticket] = {room.id, reason};
    Effect e{Effect::Kind::StopRecording};
    e.room = room.id;
    e.ticket = ticket;
    out.push_back(std::move(e));
    pushState(room, "stopped", reason, out);
}

void RecordingFlow::cancelConsent(Room& room, const std::string& reason, Effects& out) {
    Room::Recording& rec = room.recording;
    if (!rec.consentPending) return;
    rec.consentPending = false;
    for (const auto& pid : rec.asked) {
        auto it = room.participants.find(pid);
        if (it == room.participants.end()) continue;
        out.push_back(Effect::push(it->second.session, {}, push::consentRequestCancelled(room.id)));
    }
    auto req = room.participants.find(rec.requestedBy);
    if (req != room.participants.end())
        out.push_back(Effect::push(req->second.session, {}, push::recording(room.id, "not_started", reason)));
    out.push_back(Effect::notify(0, event::recordConsent(room.id, {}, reason)));
    rec.asked.clear();
    rec.consented.clear();
    rec.requestedBy.clear();
}

void RecordingFlow::pushState(const Room& room, const char* state, const std::string& reason, Effects& out) const {
    for (const auto& [id, p] : room.participants)
        if (!p.waiting) out.push_back(Effect::push(p.session, {}, push::recording(room.id, state, reason)));
}

}  // namespace hipaa::room
