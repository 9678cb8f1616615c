#include "SrtpProtector.hpp"

#include "hipaa/Errors.hpp"

namespace hipaa::room {

SrtpProtector::SrtpProtector(int suite, ByteView key) {
    if (key.size() != kMasterLength) throw CryptoError("SRTP master key+salt must be 30 bytes");
    srtp_policy_t policy{};
    if (suite == 80) srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    else if (suite == 32) srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
    else throw CryptoError("srtp suite must be 32 or 80");
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    policy.ssrc.type = ssrc_any_outbound;
    policy.key = const_cast<uint8_t*>(key.data());
    policy.window_size = 1024;
    srtp_t s = nullptr;
    if (srtp_create(&s, &policy) != srtp_err_status_ok) throw CryptoError("srtp_create failed");
    session_.reset(s);
}

bool SrtpProtector::protect(uint8_t* packet, size_t& length) noexcept {
    int len = static_cast<int>(length);
    if (srtp_protect(session_.get(), packet, &len) != srtp_err_status_ok) return false;
    length = static_cast<size_t>(len);
    return true;
}

}  // namespace hipaa::room
