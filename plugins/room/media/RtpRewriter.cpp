// SPDX-License-Identifier: GPL-3.0-or-later
#include "RtpRewriter.hpp"

namespace hipaa::room {

RtpRewriter::Header RtpRewriter::rewrite(uint32_t ssrc, uint16_t seq, uint32_t ts) noexcept {
    if (!haveSource_ || ssrc != inSsrc_) {
        if (started_) {
            // Continue right after what the subscriber saw last.
            seqOffset_ = static_cast<uint16_t>(lastSeq_ + 1 - seq);
            tsOffset_ = lastTs_ + step_ - ts;
            ++switches_;
        } else {
            seqOffset_ = 0;
            tsOffset_ = 0;
        }
        inSsrc_ = ssrc;
        haveSource_ = true;
    }
    Header out{outSsrc_, static_cast<uint16_t>(seq + seqOffset_), ts + tsOffset_};
    // Track the newest packet (modulo arithmetic): retransmitted/reordered ones keep their mapping.
    if (!started_ || static_cast<int16_t>(out.seq - lastSeq_) > 0) {
        lastSeq_ = out.seq;
        lastTs_ = out.ts;
    }
    started_ = true;
    return out;
}

void RtpRewriter::resume(Position p) noexcept {
    if (!p.started) return;
    started_ = true;
    haveSource_ = false;
    lastSeq_ = p.seq;
    lastTs_ = p.ts;
}

bool RtpRewriter::read(const uint8_t* p, size_t length, Header& out) noexcept {
    if (!p || length < 12 || (p[0] >> 6) != 2) return false;
    uint8_t pt = p[1] & 0x7f;
    if (pt >= 64 && pt <= 95) return false;  // RTCP (RFC 5761 demultiplexing)
    out.seq = static_cast<uint16_t>((p[2] << 8) | p[3]);
    out.ts = (uint32_t{p[4]} << 24) | (uint32_t{p[5]} << 16) | (uint32_t{p[6]} << 8) | p[7];
    out.ssrc = (uint32_t{p[8]} << 24) | (uint32_t{p[9]} << 16) | (uint32_t{p[10]} << 8) | p[11];
    return true;
}

void RtpRewriter::write(uint8_t* p, const Header& h) noexcept {
    p[2] = static_cast<uint8_t>(h.seq >> 8);
    p[3] = static_cast<uint8_t>(h.seq);
    for (int i = 0; i < 4; ++i) {
        p[4 + i] = static_cast<uint8_t>(h.ts >> (24 - 8 * i));
        p[8 + i] = static_cast<uint8_t>(h.ssrc >> (24 - 8 * i));
    }
}

}  // namespace hipaa::room
