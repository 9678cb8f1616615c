// SPDX-License-Identifier: GPL-3.0-or-later
#include "Departures.hpp"
#include "hipaa/Clock.hpp"

#include "RoomEvent.hpp"
#include "RoomPush.hpp"

#include <set>
#include <utility>
#include <vector>

namespace hipaa::room {
namespace {

// How long an ended visit waits for the recorder to seal its kept chat (milliseconds normally) before
// it is published with the recordings sealed by then: a hung recorder must not keep a visit from the EHR.
constexpr int64_t kSealWaitUs = 60 * kUsPerSecond;

}  // namespace

void Departures::leave(const Reply& reply, Room& room, Participant& me) {
    reply.answer(push::left(room.id));
    reply.notify(event::left(room.id, me.pseudonym, "leave"));
    dropMedia(room, me, reply.nowUs, reply.out, true);
    remove(room, me.id, reply.nowUs, reply.out);
}

void Departures::end(const Reply& reply, Room& room) {
    reply.answer(push::result(room.id, "ended"));
    endVisit(room, "ended_by_provider", reply.nowUs, reply.out);
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): a copy on purpose (see the header)
void Departures::endParticipant(Room& room, std::string pid, const std::string& reason, int64_t nowUs, Effects& out,
                                bool pushToIt) {
    auto it = room.participants.find(pid);
    if (it == room.participants.end()) return;
    SessionId s = it->second.session;
    if (pushToIt) out.push_back(Effect::push(s, {}, push::ended(room.id, reason)));
    out.push_back(Effect::notify(s, event::left(room.id, it->second.pseudonym, reason)));
    dropMedia(room, it->second, nowUs, out, false);
    remove(room, pid, nowUs, out);
    out.push_back(Effect::end(s));
}

void Departures::endVisit(Room& room, const std::string& reason, int64_t nowUs, Effects& out) {
    if (room.ended) return;
    recording_.visitEnding(room, out);
    room.ended = true;
    room.endedUs = nowUs;
    for (auto& [id, p] : room.participants) {
        dropMedia(room, p, nowUs, out, false);
        out.push_back(Effect::push(p.session, {}, push::ended(room.id, reason)));
        room.history[p.historyIndex].leftUs = nowUs;
        state_.participants.erase(p.session);
        out.push_back(Effect::end(p.session));
    }
    room.participants.clear();

    VisitEnded v;
    v.visitId = room.visitId;
    v.roomId = room.id;
    v.reason = reason;
    v.startedUs = room.startedUs ? room.startedUs : room.createdUs;
    v.endedUs = nowUs;
    v.fhir = room.fhir;
    v.participants = room.history;
    v.keptToEhr = state_.classOf(room).keptToEhr;
    v.keptRecordings = room.keptRecordings;
    PendingVisitEnd ending{std::move(v), room.startedUs, room.history.size(), room.chatStopsPending,
                           nowUs + kSealWaitUs};
    // A kept chat still being sealed: the visit is published once the recorder names its recordings.
    if (ending.stopsPending > 0) {
        publishPending(room.id, out);  // a room of that id ended before (destroyed, made again): not lost
        state_.endsAwaitingSeal[room.id] = std::move(ending);
        return;
    }
    publishEnded(std::move(ending), out);
}

void Departures::publishPending(const std::string& roomId, Effects& out) {
    auto it = state_.endsAwaitingSeal.find(roomId);
    if (it == state_.endsAwaitingSeal.end()) return;
    PendingVisitEnd ending = std::move(it->second);
    state_.endsAwaitingSeal.erase(it);
    publishEnded(std::move(ending), out);
}

void Departures::publishEnded(PendingVisitEnd ending, Effects& out) {
    const std::string room = ending.visit.roomId, reason = ending.visit.reason;
    const int64_t endedUs = ending.visit.endedUs;
    const int64_t startedUs = ending.visitStartedUs ? ending.visitStartedUs : endedUs;
    VisitBus::PublishResult res = publish_ ? publish_(std::move(ending.visit)) : VisitBus::PublishResult{};
    out.push_back(
        Effect::notify(0, event::visitEnded(room, reason, ending.participants, (endedUs - startedUs) / kUsPerSecond,
                                            static_cast<uint64_t>(res.delivered), static_cast<uint64_t>(res.refused))));
    ++state_.counters["visits_ended"];
}

void Departures::dropMedia(Room& room, Participant& p, int64_t nowUs, Effects& out, bool hangupPc) {
    bool had = p.publishing || !p.subscribers.empty();
    publishing_.stop(room, p, false, {}, nowUs, out);
    for (SessionId sub : std::set<SessionId>(p.subscribers)) subscriptions_.drop(sub, out, true);
    if (relay_) relay_->removeSession(p.session);
    if (had && hangupPc) out.push_back(Effect::hangup(p.session));
}

void Departures::handleGone(SessionId s, int64_t nowUs, Effects& out) {
    auto where = state_.participants.find(s);
    if (where == state_.participants.end()) return;
    Room& room = state_.rooms.at(where->second.room);
    auto it = room.participants.find(where->second.participant);
    if (it != room.participants.end()) {
        out.push_back(Effect::notify(0, event::left(room.id, it->second.pseudonym, "hangup")));
        dropMedia(room, it->second, nowUs, out, false);
        remove(room, it->first, nowUs, out);
    }
    state_.participants.erase(s);
}

void Departures::expire(int64_t nowUs, Effects& out) {
    int64_t nowS = nowUs / kUsPerSecond;
    for (auto it = state_.endsAwaitingSeal.begin(); it != state_.endsAwaitingSeal.end();) {
        if (nowUs < it->second.deadlineUs) {
            ++it;
            continue;
        }
        PendingVisitEnd ending = std::move(it->second);
        it = state_.endsAwaitingSeal.erase(it);
        ++state_.counters["visits_ended_unsealed"];  // the recorder never answered: the EHR gets the rest
        publishEnded(std::move(ending), out);
    }
    for (auto& [rid, room] : state_.rooms) {
        if (room.ended) continue;
        const RoomClass& cls = state_.classOf(room);
        if (room.startedUs && nowUs - room.startedUs > cls.maxVisitS * kUsPerSecond) {
            endVisit(room, "max_visit_length", nowUs, out);
            continue;
        }
        std::vector<std::pair<std::string, const char*>> expired;
        for (auto& [pid, p] : room.participants) {
            if (relay_ && (p.publishing || !p.subscribers.empty())) {  // media flowing counts as activity
                uint64_t n = relay_->packetsFrom(p.session);
                for (SessionId sub : p.subscribers) n += relay_->packetsTo(sub);
                if (n != p.mediaPackets) {
                    p.mediaPackets = n;
                    p.lastActivityUs = nowUs;
                }
            }
            if (p.publishing) publishing_.flushChat(room, p, nowUs, false, out);  // chat counts as activity too
            if (nowUs - p.lastActivityUs > cls.idleTimeoutS * kUsPerSecond)
                expired.emplace_back(pid, "idle_timeout");
            else if (cls.endOnTokenExpiry && nowS > p.expS + verifier_->policy().skewS)
                expired.emplace_back(pid, "token_expired");
        }
        for (const auto& [pid, reason] : expired) endParticipant(room, pid, reason, nowUs, out);
    }
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): a copy on purpose (see the header)
void Departures::remove(Room& room, std::string pid, int64_t nowUs, Effects& out) {
    auto it = room.participants.find(pid);
    if (it == room.participants.end()) return;
    bool wasWaiting = it->second.waiting;
    room.history[it->second.historyIndex].leftUs = nowUs;
    state_.participants.erase(it->second.session);
    room.participants.erase(it);
    if (!wasWaiting)
        view_.announceLeaving(room, pid, out);
    else
        view_.pushWaitingList(room, out);
    recording_.left(room, pid, out);
}

}  // namespace hipaa::room
