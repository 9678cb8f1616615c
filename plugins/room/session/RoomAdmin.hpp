// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The room's Admin API requests (message_plugin; `info` of the plugin and `reload_keys` are
// RoomPlugin's): create, destroy, list, info, stats and revoke. Answers are PHI-free: a room's
// description is only ever reported as present.
#include "Departures.hpp"
#include "Effect.hpp"
#include "Lockouts.hpp"
#include "RoomState.hpp"
#include "TokenVerifier.hpp"

#include "hipaa/Json.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace hipaa::room {

class RoomAdmin {
public:
    static constexpr size_t kMaxDescriptionBytes = 1024;  // a room's description (PHI)

    RoomAdmin(RoomState& state, Departures& departures, const Lockouts& lockouts,
              std::shared_ptr<TokenVerifier> verifier, Pseudonymizer pseudonyms)
        : state_(state),
          departures_(departures),
          lockouts_(lockouts),
          verifier_(std::move(verifier)),
          pseudonyms_(std::move(pseudonyms)) {}

    // The answer; effects (events, ended sessions) go to `out`. Throws RequestError.
    JsonPtr handle(const json_t* request, int64_t nowUs, Effects& out);
    // A revocation from the shared store (any instance's): ends the live sessions it names.
    void sharedRevocation(const SharedTokenState::Revocation& revocation, int64_t nowUs, Effects& out);

private:
    JsonPtr create(const json_t* request, int64_t nowUs, Effects& out);
    JsonPtr destroy(const json_t* request, int64_t nowUs, Effects& out);
    JsonPtr list(const json_t* request, int64_t nowUs, Effects& out);
    JsonPtr info(const json_t* request, int64_t nowUs, Effects& out);
    JsonPtr stats(const json_t* request, int64_t nowUs, Effects& out);
    JsonPtr revoke(const json_t* request, int64_t nowUs, Effects& out);
    // The request's `room`: refused with 303 when malformed, 430 when there is no such room.
    Room& roomOf(const json_t* request);
    // Ends the participants `hit` selects, everywhere; their number.
    uint64_t endWhere(const std::function<bool(const Room&, const Participant&)>& hit, int64_t nowUs, Effects& out);

    RoomState& state_;
    Departures& departures_;
    const Lockouts& lockouts_;
    std::shared_ptr<TokenVerifier> verifier_;
    Pseudonymizer pseudonyms_;  // the subject key and the `by` of shared revocations
};

}  // namespace hipaa::room
