// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A participant's publication (VideoRoom's publisher half): publish and renegotiate (an offer), mute
// (configure without one), unpublish, a moderator's mute, and the PHI-free summaries of its chat.
#include "MediaControl.hpp"
#include "RecordingFlow.hpp"
#include "Reply.hpp"
#include "RoomRequest.hpp"
#include "RoomState.hpp"
#include "RoomView.hpp"

#include <cstdint>
#include <string>

namespace hipaa::room {

class Publishing {
public:
    // At most one `chat` event per participant per interval (a summary of what came meanwhile).
    static constexpr int64_t kChatEventIntervalUs = 1'000'000;

    Publishing(RoomState& state, const RoomView& view, const RecordingFlow& recording, MediaControl media)
        : state_(state), view_(view), recording_(recording), media_(media) {}

    void publish(const Reply& reply, const PublishRequest& request, const json_t* jsep, Room& room, Participant& me);
    // With a JSEP offer a renegotiation like publish; without, mute and unmute.
    void configure(const Reply& reply, const ConfigureRequest& request, const json_t* jsep, Room& room,
                   Participant& me);
    void unpublish(const Reply& reply, Room& room, Participant& me);
    void moderate(const Reply& reply, const ModerateRequest& request, Room& room, const Participant& me);

    // Ends p's publication (`pushToIt`: answers `unpublished` on `tx`); nothing when not publishing.
    void stop(Room& room, Participant& p, bool pushToIt, const std::string& tx, int64_t nowUs, Effects& out);
    // Collects what the relay counted for p's data channel; emits it as one PHI-free `chat` event
    // (never the text) unless p had one less than kChatEventIntervalUs ago (`final`: at once).
    void flushChat(Room& room, Participant& p, int64_t nowUs, bool final, Effects& out);

private:
    bool ready(const Reply& reply) const;
    void offer(const Reply& reply, const char* request, const MediaSettings& settings, const json_t* jsep, Room& room,
               Participant& me, bool restart = false);
    void mute(const Reply& reply, const MediaSettings& settings, Room& room, Participant& me);
    void setMuted(Room& room, Participant& target, Participant::Stream& st, bool muted, const Participant& by,
                  Effects& out);

    RoomState& state_;
    const RoomView& view_;
    const RecordingFlow& recording_;
    MediaControl media_;
};

}  // namespace hipaa::room
