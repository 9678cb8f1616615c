// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Failed access attempts and the locks they earn (docs/room.md, "Lockouts"): failures before any
// signature verified lock the Janus session (one per browser tab) they came from; wrong dates of
// birth lock that subject out of that room. Each new lock is a `lockout` event and a counter.
#include "Effect.hpp"
#include "LockoutTracker.hpp"
#include "RoomState.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace hipaa::room {

class Lockouts {
public:
    explicit Lockouts(RoomState& state);

    // The Janus session a handle belongs to (0: unknown, then the handle counts as its own session).
    void attached(SessionId handle, uint64_t janusSession) { janusSessions_[handle] = janusSession; }
    void detached(SessionId handle) { janusSessions_.erase(handle); }
    bool sameJanusSession(SessionId a, SessionId b) const { return janusSessionKey(a) == janusSessionKey(b); }

    bool rateLimited(SessionId handle, int64_t nowS) const;
    // A failure before any signature verified, counted for the handle's Janus session.
    void unverifiedFailure(SessionId handle, int64_t nowS, Effects& out);

    bool subjectLocked(const Room& room, const std::string& pseudonym, int64_t nowS) const;
    // A wrong date of birth of an authentic token's subject.
    void dobMismatch(const Room& room, const std::string& pseudonym, int64_t nowS, Effects& out);
    // The shared store counted the failure and this one started a lockout (the `lockout` event).
    void subjectLockStarted(const Room& room, const std::string& pseudonym, Effects& out);
    size_t lockedSubjects(const Room& room, int64_t nowS) const;

private:
    std::string janusSessionKey(SessionId handle) const;
    static std::string subjectKey(const Room& room, const std::string& pseudonym) { return room.id + '\n' + pseudonym; }

    RoomState& state_;
    LockoutTracker subjects_;  // key: room id '\n' pseudonym
    LockoutTracker sessions_;  // key: janusSessionKey()
    std::unordered_map<SessionId, uint64_t> janusSessions_;
};

}  // namespace hipaa::room
