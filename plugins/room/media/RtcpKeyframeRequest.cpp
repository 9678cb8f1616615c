// SPDX-License-Identifier: GPL-3.0-or-later
#include "RtcpKeyframeRequest.hpp"

namespace hipaa::room {

bool rtcpRequestsKeyframe(const uint8_t* p, size_t left) noexcept {
    if (!p) return false;
    while (left >= 4) {
        size_t len = (size_t{(static_cast<size_t>(p[2]) << 8) | p[3]} + 1) * 4;
        if ((p[0] >> 6) != 2 || len > left) return false;
        if (p[1] == 206 && ((p[0] & 0x1f) == 1 || (p[0] & 0x1f) == 4)) return true;
        p += len;
        left -= len;
    }
    return false;
}

}  // namespace hipaa::room
