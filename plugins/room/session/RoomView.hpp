// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What each participant is shown of the others: names only where the viewer's role may see them,
// nothing at all while waiting. Builds the lists in pushes and sends the room's announcements.
#include "Effect.hpp"
#include "RoomState.hpp"

#include "hipaa/Json.hpp"

#include <string>

namespace hipaa::room {

class RoomView {
public:
    explicit RoomView(const RoomState& state) : state_(state) {}

    // {"id", "role", "display"?} of `p` as `viewer` may see it.
    JsonPtr describe(const Room& room, const Participant& viewer, const Participant& p) const;
    // The admitted participants other than the viewer.
    JsonPtr participants(const Room& room, const Participant& viewer) const;
    // A publisher with its streams, and the current publishers other than the viewer.
    JsonPtr publisher(const Room& room, const Participant& viewer, const Participant& p) const;
    JsonPtr publishers(const Room& room, const Participant& viewer) const;
    // The `joined` push (the join answer, or on admission).
    JsonPtr joined(const Room& room, const Participant& p, int64_t nowUs) const;
    // The visit's rules from its class, for the client to show (privacy screen, indicators, countdowns):
    // {recording: consent|no_consent|never, recording_policy?, chat_kept, e2ee, idle_timeout,
    //  max_visit_length, visit_left?} in seconds; visit_left once the visit started.
    JsonPtr policy(const Room& room, int64_t nowUs) const;

    // Pushes to the admitted participants (waiting ones learn nothing about anyone): `p` was admitted,
    // `id` left, `p` published (to those who may subscribe); to moderators the whole waiting list.
    void announceJoined(const Room& room, const Participant& p, Effects& out) const;
    void announceLeaving(const Room& room, const std::string& id, Effects& out) const;
    void announcePublisher(const Room& room, const Participant& p, Effects& out) const;
    void pushWaitingList(const Room& room, Effects& out) const;

private:
    const RoomState& state_;
};

}  // namespace hipaa::room
