// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Clinical notes: a `note` is published on the VisitBus with the visit's FHIR context and answered
// only once someone took it (never pretend: a refused note is an error the client can retry).
#include "Reply.hpp"
#include "RoomRequest.hpp"
#include "RoomState.hpp"
#include "VisitPublisher.hpp"

#include <functional>

namespace hipaa::room {

class Notes {
public:
    using PublishNote = std::function<VisitBus::PublishResult(NoteSubmitted)>;

    Notes(RoomState& state, PublishNote publish) : state_(state), publish_(std::move(publish)) {}

    void note(const Reply& reply, const NoteRequest& request, const Room& room, const Participant& me);

private:
    RoomState& state_;
    PublishNote publish_;
};

}  // namespace hipaa::room
