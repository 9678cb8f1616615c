// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How participants leave and visits end: `leave`, the end of one participant (denied, kicked,
// revoked, timed out: an `ended` push, then its handle is hung up), a handle that went away, the
// visit's end (VisitEnded on the bus) and the timeouts (idle, token expiry, maximum visit length).
#include "MediaControl.hpp"
#include "Publishing.hpp"
#include "RecordingFlow.hpp"
#include "Reply.hpp"
#include "RoomState.hpp"
#include "RoomView.hpp"
#include "Subscriptions.hpp"
#include "TokenVerifier.hpp"
#include "VisitPublisher.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace hipaa::room {

class Departures {
public:
    using PublishEnded = std::function<VisitBus::PublishResult(VisitEnded)>;

    Departures(RoomState& state, const RoomView& view, RecordingFlow& recording, Publishing& publishing,
               Subscriptions& subscriptions, std::shared_ptr<TokenVerifier> verifier, MediaRelay* relay,
               PublishEnded publish)
        : state_(state),
          view_(view),
          recording_(recording),
          publishing_(publishing),
          subscriptions_(subscriptions),
          verifier_(std::move(verifier)),
          relay_(relay),
          publish_(std::move(publish)) {}

    void leave(const Reply& reply, Room& room, Participant& me);
    // The `end` request: the visit ends for everyone.
    void end(const Reply& reply, Room& room);
    // Ends one participant: a final push to it (unless !pushToIt), then its handle is hung up.
    // `pid` by value: callers pass the participant's own id, which erasing the participant destroys.
    void endParticipant(Room& room, std::string pid, const std::string& reason, int64_t nowUs, Effects& out,
                        bool pushToIt = true);
    void endVisit(Room& room, const std::string& reason, int64_t nowUs, Effects& out);
    // The ended visit of room `roomId`, held until the recorder sealed its kept chat (every StopChat
    // answered), is published now with the kept recordings (the room may be gone by then).
    void publishPending(const std::string& roomId, Effects& out);
    // A participant stops all media: publication, subscriber handles (hung up), and its own
    // PeerConnection when `hangupPc` (sent back to the waiting room, leave).
    void dropMedia(Room& room, Participant& p, int64_t nowUs, Effects& out, bool hangupPc);
    // A participant handle went away (hangup, detach): it leaves without a push.
    void handleGone(SessionId handle, int64_t nowUs, Effects& out);
    // Timeouts, ended visits whose kept chat the recorder did not seal in time, and the `chat`
    // summaries (every tick).
    void expire(int64_t nowUs, Effects& out);

private:
    void publishEnded(PendingVisitEnd ending, Effects& out);
    void remove(Room& room, std::string pid, int64_t nowUs, Effects& out);

    RoomState& state_;
    const RoomView& view_;
    RecordingFlow& recording_;
    Publishing& publishing_;
    Subscriptions& subscriptions_;
    std::shared_ptr<TokenVerifier> verifier_;
    MediaRelay* relay_;
    PublishEnded publish_;
};

}  // namespace hipaa::room
