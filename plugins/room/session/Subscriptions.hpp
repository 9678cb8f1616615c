// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Subscriber handles (VideoRoom's subscriber half): opened with the private_id of an admitted
// participant, only in that participant's Janus session (a guess elsewhere is counted like a bad
// token); then start, pause, configure, update and leave. Each handle belongs to its owner.
#include "Lockouts.hpp"
#include "MediaControl.hpp"
#include "Reply.hpp"
#include "RoomRequest.hpp"
#include "RoomState.hpp"
#include "RoomView.hpp"

#include <string>
#include <vector>

namespace hipaa::room {

class Subscriptions {
public:
    Subscriptions(RoomState& state, const RoomView& view, Lockouts& lockouts, MediaControl media)
        : state_(state), view_(view), lockouts_(lockouts), media_(media) {}

    void join(const Reply& reply, const SubscriberJoinRequest& request);
    void start(const Reply& reply, const json_t* jsep, Subscriber& sub);
    void pause(const Reply& reply, Subscriber& sub);
    void configure(const Reply& reply, const ConfigureRequest& request, Subscriber& sub);
    void update(const Reply& reply, const UpdateRequest& request, Subscriber& sub);
    void leave(const Reply& reply, Subscriber& sub);
    // The handle goes (its owner's media stopped, or Janus dropped it); `end`: hang it up too.
    void drop(SessionId handle, Effects& out, bool end);

private:
    // Resolves subscribe entries to streams (all of a feed's active streams when no mid); 0 on
    // success, else an error code with `why`.
    int resolve(const Room& room, const Participant& owner, const std::vector<StreamRef>& refs,
                std::vector<Subscriber::Stream>& out, std::string& why) const;
    // Pushes the handle's streams and a new offer (`kind` attached or updated; nullptr: the answer to
    // configure), with ICE restart when `restart`.
    void offer(const Reply& reply, const char* kind, Subscriber& sub, bool restart = false);

    RoomState& state_;
    const RoomView& view_;
    Lockouts& lockouts_;
    MediaControl media_;
};

}  // namespace hipaa::room
