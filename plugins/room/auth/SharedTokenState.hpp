// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The token state several Janus instances of one clinic share (cluster.conninfo, docs/room.md
// "Several instances"): spent (iss, jti), revocations and subject lockouts. The local caches
// (ReplayCache, RevocationList, LockoutTracker) stay in front of it for speed; this is what a restart
// or another instance cannot forget. Every call may throw Error(errc::kSharedStateUnavailable) when
// the store cannot answer: the caller fails closed.
#include "hipaa/Json.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <cstdint>
#include <string>

namespace hipaa::room {

class SharedTokenState {
public:
    enum class Verdict { Fresh, Replayed, Revoked, Locked };
    // An authentic token about to join. subject: subjectKey(sub); pseudonym: the participant's.
    struct Join {
        std::string iss, jti, subject, room, pseudonym;
        int64_t forgetAt = 0;  // exp + skew
    };
    struct Limits {
        int maxFailures = 0;
        int64_t windowS = 0, lockS = 0;
    };
    // kind: "subject" (target = subjectKey), "jti" or "room"; by: a pseudonym; reason: one of kReasons.
    struct Revocation {
        std::string kind, target;
        int64_t until = 0;
        std::string by, reason;
    };
    static constexpr const char* kReasons[] = {"admin_request",   "credential_compromised", "left_practice",
                                               "patient_request", "security_incident",      "other"};

    virtual ~SharedTokenState() = default;
    // One round trip: revoked (subject, jti, room)? subject locked in the room? else spends (iss, jti).
    virtual Verdict spend(const Join& join, int64_t nowS) = 0;
    // The same questions without spending the jti (a join this instance redirects to the room's host).
    virtual Verdict peek(const Join& join, int64_t nowS) = 0;
    // A wrong date of birth: gives the jti back (the link stays usable), counts the failure; true when
    // it starts a lockout.
    virtual bool dobFailure(const Join& join, const Limits& limits, int64_t nowS) = 0;
    // Stored (and so announced to every instance) before it returns.
    virtual void revoke(const Revocation& revocation) = 0;
    // For Admin info/stats: connected, last error code, counts. PHI-free.
    virtual JsonPtr describe() const = 0;

    // A subject as revocations name it: keyed, so the store never holds a `sub` (which can be an MRN).
    static std::string subjectKey(const Pseudonymizer& pseudonyms, const std::string& sub) {
        return pseudonyms.value("revoked_subject", sub);
    }
};

}  // namespace hipaa::room
