// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The only thing the room reads from a subscriber's RTCP: whether the compound packet asks for a
// keyframe (payload-specific feedback, PT 206, with FMT 1 = PLI, RFC 4585, or FMT 4 = FIR, RFC 5104).
// Receiver reports and NACKs stay with the Janus core. The walk follows each packet's length field and
// stops at the first packet that is not RTCP version 2 or does not fit; it never reads past `length`.
#include <cstddef>
#include <cstdint>

namespace hipaa::room {

bool rtcpRequestsKeyframe(const uint8_t* data, size_t length) noexcept;

}  // namespace hipaa::room
