// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Keeps one outgoing RTP stream continuous for a subscriber while its source changes (a new publisher
// SSRC after a switch, a restarted sender): a fixed outgoing SSRC, sequence numbers that continue at
// last+1 and timestamps that continue one frame step after the last one sent. Single-threaded (the
// media thread of the publisher feeding the stream); no allocation. A switch to another publisher
// hands the position over to that publisher's rewriter (position() -> resume()).
#include <cstddef>
#include <cstdint>

namespace hipaa::room {

class RtpRewriter {
public:
    // `frameStep`: timestamp units between frames assumed across a switch (960 for 48 kHz Opus at
    // 20 ms, 3000 for 90 kHz video at 30 fps).
    RtpRewriter(uint32_t outSsrc, uint32_t frameStep) : outSsrc_(outSsrc), step_(frameStep) {}

    struct Header {
        uint32_t ssrc;
        uint16_t seq;
        uint32_t ts;
    };
    // Maps an incoming header to the outgoing one.
    Header rewrite(uint32_t ssrc, uint16_t seq, uint32_t ts) noexcept;
    // The next packet starts a new source even with the same SSRC (e.g. the subscriber switched feeds).
    void reset() noexcept { haveSource_ = false; }

    // The newest packet sent so far (`started` false: none yet).
    struct Position {
        bool started = false;
        uint16_t seq = 0;
        uint32_t ts = 0;
    };
    Position position() const noexcept { return {started_, lastSeq_, lastTs_}; }
    // Continues an outgoing stream another rewriter sent up to `p`: the next packet, whatever its
    // source, gets p.seq + 1 and p.ts + one frame step. Nothing changes when `p` has not started.
    void resume(Position p) noexcept;
    uint32_t switches() const noexcept { return switches_; }

    // RTP header access (RFC 3550 fixed header); false when the buffer is no RTP packet.
    static bool read(const uint8_t* packet, size_t length, Header& out) noexcept;
    static void write(uint8_t* packet, const Header& h) noexcept;

private:
    uint32_t outSsrc_, step_;
    bool started_ = false, haveSource_ = false;
    uint32_t inSsrc_ = 0;
    uint16_t seqOffset_ = 0, lastSeq_ = 0;
    uint32_t tsOffset_ = 0, lastTs_ = 0;
    uint32_t switches_ = 0;
};

}  // namespace hipaa::room
