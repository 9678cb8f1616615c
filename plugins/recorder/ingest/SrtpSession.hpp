// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RAII owner of an inbound libsrtp2 session (srtp_t) for one forwarded stream. The Janus core calls
// srtp_init(); the plugin never does (unit tests without Janus call it themselves).
#include "hipaa/Bytes.hpp"

#include <srtp2/srtp.h>

#include <memory>

namespace hipaa::recorder {

class SrtpSession {
public:
    static constexpr size_t kMasterLength = 30;  // 16-byte key + 14-byte salt (SRTP_AES_ICM_128)

    // suite: 80 (AES_CM_128_HMAC_SHA1_80) or 32 (AES_CM_128_HMAC_SHA1_32), as VideoRoom's srtp_suite.
    // Throws CryptoError on a bad suite or key length, or when libsrtp refuses the policy.
    SrtpSession(int suite, ByteView masterKeyAndSalt);

    // Authenticates and decrypts in place; false (packet to be dropped) on any failure.
    bool unprotect(uint8_t* packet, size_t& length) noexcept;

private:
    struct Deleter {
        void operator()(srtp_ctx_t_* s) const noexcept { srtp_dealloc(s); }
    };
    std::unique_ptr<srtp_ctx_t_, Deleter> session_;
};

}  // namespace hipaa::recorder
