// SPDX-License-Identifier: GPL-3.0-or-later
#include "Lockouts.hpp"

#include "RoomEvent.hpp"

namespace hipaa::room {

Lockouts::Lockouts(RoomState& state)
    : state_(state),
      subjects_(state.settings.lockoutFailures, state.settings.lockoutWindowS, state.settings.lockoutS),
      sessions_(state.settings.sessionFailures, state.settings.lockoutWindowS, state.settings.lockoutS) {}

std::string Lockouts::janusSessionKey(SessionId s) const {
    auto it = janusSessions_.find(s);
    if (it != janusSessions_.end() && it->second) return "j" + std::to_string(it->second);
    return "h" + std::to_string(s);
}

bool Lockouts::rateLimited(SessionId s, int64_t nowS) const { return sessions_.locked(janusSessionKey(s), nowS); }

void Lockouts::unverifiedFailure(SessionId s, int64_t nowS, Effects& out) {
    if (!sessions_.recordFailure(janusSessionKey(s), nowS)) return;
    const RoomSettings& cfg = state_.settings;
    // Tied to the handle (Janus adds its session and handle ids); nothing about the tokens tried.
    out.push_back(Effect::notify(s, event::sessionLockout(cfg.sessionFailures, cfg.lockoutWindowS, cfg.lockoutS)));
    ++state_.counters["lockouts_session"];
}

bool Lockouts::subjectLocked(const Room& room, const std::string& pseudonym, int64_t nowS) const {
    return subjects_.locked(subjectKey(room, pseudonym), nowS);
}

void Lockouts::dobMismatch(const Room& room, const std::string& pseudonym, int64_t nowS, Effects& out) {
    if (!subjects_.recordFailure(subjectKey(room, pseudonym), nowS)) return;
    // The only thing a holder of an authentic link can guess is the date of birth: that subject, in
    // this room, waits. Everyone else (the provider included) joins as usual.
    subjectLockStarted(room, pseudonym, out);
}

void Lockouts::subjectLockStarted(const Room& room, const std::string& pseudonym, Effects& out) {
    const RoomSettings& cfg = state_.settings;
    out.push_back(Effect::notify(
        0, event::subjectLockout(room.id, pseudonym, cfg.lockoutFailures, cfg.lockoutWindowS, cfg.lockoutS)));
    ++state_.counters["lockouts"];
}

size_t Lockouts::lockedSubjects(const Room& room, int64_t nowS) const {
    return subjects_.lockedCount(room.id + '\n', nowS);
}

}  // namespace hipaa::room
