// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test helper: sends SRTP-protected RTP to a UDP port on 127.0.0.1, like VideoRoom's rtp_forward.
// The process must have called srtp_init() (test binaries without Janus link hipaa_test_srtp).
#include "hipaa/Bytes.hpp"

#include <srtp2/srtp.h>

#include <cstdint>
#include <memory>

namespace hipaa::test {

class SrtpSender {
public:
    SrtpSender(int port, int suite, ByteView masterKeyAndSalt, uint32_t ssrc, uint8_t payloadType);
    ~SrtpSender();
    SrtpSender(const SrtpSender&) = delete;
    SrtpSender& operator=(const SrtpSender&) = delete;

    // Builds an RTP packet (seq and timestamp advance), protects it and sends it.
    // Returns the plain RTP packet that was sent.
    Bytes send(ByteView payload, uint32_t timestampStep);
    // Sends raw bytes (e.g. a forged packet, or one captured on another port).
    void sendRaw(ByteView bytes);
    // The last packet send() put on the wire (protected), as a sniffer on the path would capture it.
    const Bytes& lastWire() const { return lastWire_; }

private:
    struct Deleter {
        void operator()(srtp_ctx_t_* s) const noexcept { srtp_dealloc(s); }
    };
    std::unique_ptr<srtp_ctx_t_, Deleter> srtp_;
    int fd_ = -1, port_;
    uint32_t ssrc_, timestamp_ = 1000;
    uint16_t seq_ = 100;
    uint8_t pt_;
    Bytes lastWire_;
};

}  // namespace hipaa::test
