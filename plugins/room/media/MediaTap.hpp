// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The seam between the room's media relay and consult recording: a tap sees every
// RTP packet a publisher sends into a room, already decrypted by the Janus core. The relay calls it on
// Janus' media thread, so an implementation must be O(1), never block, never throw, never allocate per
// packet (copy into a preallocated ring and hand off to its own thread).
// Installation (RoomPlugin::tap(room) / setTapObserver): when a tap appears on a room the relay calls
// streamAdded for every stream already published there, then keeps calling it as streams change.
#include <cstddef>
#include <cstdint>
#include <string>

namespace hipaa::room {

struct TapStream {
    uint64_t feed = 0;  // the publisher's feed id in the room
    int mindex = 0;     // the m-line of that publisher's stream
    bool video = false;
    std::string codec;    // "opus", "vp8", "vp9", "h264" (lower case, as in VideoRoom)
    int payloadType = 0;  // the publisher's negotiated payload type
};

class MediaTap {
public:
    virtual ~MediaTap() = default;
    // A publisher stream appeared (publish/configure) or went away (unpublish/leave/hangup).
    virtual void streamAdded(const TapStream& stream) noexcept = 0;
    virtual void streamRemoved(uint64_t feed, int mindex) noexcept = 0;
    // One RTP packet (header + payload, plaintext) of that stream.
    virtual void rtp(uint64_t feed, int mindex, const uint8_t* packet, size_t length) noexcept = 0;
};

}  // namespace hipaa::room
