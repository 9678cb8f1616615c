// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Who gets into a room: a token join (the audit trail must take records, the handle's Janus session
// must not be rate limited, the token must verify; lockouts), the waiting room, and a moderator's
// admit, deny, send_to_waiting and kick. Every refused join leaves a `join` event.
#include "Departures.hpp"
#include "Lockouts.hpp"
#include "RecordingFlow.hpp"
#include "Reply.hpp"
#include "RoomRequest.hpp"
#include "RoomState.hpp"
#include "RoomView.hpp"
#include "TokenVerifier.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <memory>
#include <optional>
#include <string>

namespace hipaa::room {

class Admission {
public:
    Admission(RoomState& state, const RoomView& view, Lockouts& lockouts, RecordingFlow& recording,
              Departures& departures, std::shared_ptr<TokenVerifier> verifier, Pseudonymizer pseudonyms)
        : state_(state),
          view_(view),
          lockouts_(lockouts),
          recording_(recording),
          departures_(departures),
          verifier_(std::move(verifier)),
          pseudonyms_(std::move(pseudonyms)) {}

    void join(const Reply& reply, const JoinRequest& request);
    // Cluster: a join for a room another instance hosts (of class `cls` there). The token is checked as
    // join() would (but the date of birth, which the host checks) without spending its jti. True: the
    // caller names the host (469); false: refused here, as a join here would be.
    bool vouch(const Reply& reply, const JoinRequest& request, const RoomClass& cls);
    // A join the request parser refused: a failed access attempt like any other (recorded, and
    // counted against the Janus session: no signature was verified).
    void refuseUnparsed(const Reply& reply, const json_t* message, const Error& error);
    // A join (either kind) from a handle already in a room.
    void refuseAlreadyJoined(const Reply& reply, const std::string& room);

    // A moderator's decisions on the participant `id`.
    void admit(const Reply& reply, const std::string& id, Room& room, const Participant& me);
    void deny(const Reply& reply, const std::string& id, Room& room, const Participant& me);
    void sendToWaiting(const Reply& reply, const std::string& id, Room& room, const Participant& me);
    void kick(const Reply& reply, const std::string& id, Room& room, const Participant& me);

private:
    // True (and the error pushed) when the audit trail cannot take records.
    bool auditRefuses(const Reply& reply, const char* request, const Room* room);
    // A `join` event (outcome refused, code, reason, pseudonym if authentic) and the error. `room`
    // only when the request named an existing room (client strings are not echoed).
    void refuse(const Reply& reply, const Room* room, int code, const std::string& reason, const std::string& message,
                const std::string& pseudonym = {});
    // check.shared: the shared store's one round trip (spend, or only peek); throws TokenError (468
    // when it cannot answer).
    SharedTokenState::Join sharedSpend(SharedTokenState& shared, const VerifiedToken& token, const std::string& room,
                                       int64_t nowS, bool spend = true);
    // Counted in the shared store when it spent the jti (and gets it back), else locally.
    void dobMismatch(const Reply& reply, const Room& room, const std::string& pseudonym, SharedTokenState* shared,
                     const std::optional<SharedTokenState::Join>& spent, int64_t nowS);
    Participant& admitToRoom(const Reply& reply, const JoinRequest& request, const VerifiedToken& token, Room& room);
    // The decision's target (435 when there is none).
    Participant* target(const Reply& reply, Room& room, const std::string& id);
    // Answers the moderator and records the decision (`name`: admitted, denied, sent_to_waiting, kicked).
    void decided(const Reply& reply, const char* name, const Room& room, const Participant& t, const Participant& by);

    RoomState& state_;
    const RoomView& view_;
    Lockouts& lockouts_;
    RecordingFlow& recording_;
    Departures& departures_;
    std::shared_ptr<TokenVerifier> verifier_;
    Pseudonymizer pseudonyms_;
};

}  // namespace hipaa::room
