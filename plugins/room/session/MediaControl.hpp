// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The media seams: the relay (fan-out, thread-safe) and SDP offer/answer (the glue's sdp-utils).
// Either null: media requests answer 305 (not implemented) and nothing is relayed.
#include "MediaRelay.hpp"

#include "hipaa/Sdp.hpp"

namespace hipaa::room {

struct MediaControl {
    MediaRelay* relay = nullptr;
    SdpEngine* sdp = nullptr;
    bool ready() const { return relay && sdp; }
};

}  // namespace hipaa::room
