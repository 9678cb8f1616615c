// SPDX-License-Identifier: GPL-3.0-or-later
#include "SrtpSender.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace hipaa::test {

SrtpSender::SrtpSender(int port, int suite, ByteView key, uint32_t ssrc, uint8_t payloadType)
    : port_(port), ssrc_(ssrc), pt_(payloadType) {
    srtp_policy_t policy{};
    if (suite == 32)
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
    else
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    policy.ssrc.type = ssrc_any_outbound;
    policy.key = const_cast<uint8_t*>(key.data());
    srtp_t s = nullptr;
    if (srtp_create(&s, &policy) != srtp_err_status_ok) throw std::runtime_error("srtp_create failed");
    srtp_.reset(s);
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

SrtpSender::~SrtpSender() {
    if (fd_ >= 0) ::close(fd_);
}

void SrtpSender::sendRaw(ByteView bytes) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
}

Bytes SrtpSender::send(ByteView payload, uint32_t timestampStep) {
    Bytes rtp(12);
    rtp[0] = 0x80;
    rtp[1] = pt_;
    rtp[2] = static_cast<uint8_t>(seq_ >> 8);
    rtp[3] = static_cast<uint8_t>(seq_);
    for (int i = 0; i < 4; ++i) {
        rtp[4 + i] = static_cast<uint8_t>(timestamp_ >> (24 - 8 * i));
        rtp[8 + i] = static_cast<uint8_t>(ssrc_ >> (24 - 8 * i));
    }
    rtp.insert(rtp.end(), payload.begin(), payload.end());
    ++seq_;
    timestamp_ += timestampStep;
    Bytes wire = rtp;
    wire.resize(rtp.size() + SRTP_MAX_TRAILER_LEN);
    int len = static_cast<int>(rtp.size());
    if (srtp_protect(srtp_.get(), wire.data(), &len) != srtp_err_status_ok)
        throw std::runtime_error("srtp_protect failed");
    wire.resize(static_cast<size_t>(len));
    sendRaw(wire);
    lastWire_ = wire;
    return rtp;
}

}  // namespace hipaa::test
