// SPDX-License-Identifier: GPL-3.0-or-later
#include "SrtpSession.hpp"

#include "hipaa/Errors.hpp"

#include <climits>

namespace hipaa::recorder {

SrtpSession::SrtpSession(int suite, ByteView masterKeyAndSalt) {
    if (masterKeyAndSalt.size() != kMasterLength) throw CryptoError("SRTP master key and salt must be 30 bytes");
    srtp_policy_t policy{};
    if (suite == 80) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    } else if (suite == 32) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
    } else {
        throw CryptoError("srtp_suite must be 32 or 80");
    }
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    policy.ssrc.type = ssrc_any_inbound;
    policy.key = const_cast<uint8_t*>(masterKeyAndSalt.data());  // libsrtp copies the key into the session
    policy.window_size = 1024;                                   // forwards over UDP may reorder
    policy.next = nullptr;
    srtp_t s = nullptr;
    if (srtp_create(&s, &policy) != srtp_err_status_ok) throw CryptoError("SRTP session setup failed");
    session_.reset(s);
}

bool SrtpSession::unprotect(uint8_t* packet, size_t& length) noexcept {
    if (length < 12 || length > INT_MAX) return false;
    int len = static_cast<int>(length);
    if (srtp_unprotect(session_.get(), packet, &len) != srtp_err_status_ok) return false;
    length = static_cast<size_t>(len);
    return true;
}

}  // namespace hipaa::recorder
