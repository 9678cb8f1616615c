#pragma once
// RAII owner of an outbound libsrtp2 session: protects RTP the way VideoRoom's rtp_forward does, so the
// recorder's UDP ingest takes it unchanged. The Janus core calls srtp_init(); the plugin never does.
#include "hipaa/Bytes.hpp"

#include <srtp2/srtp.h>

#include <memory>

namespace hipaa::room {

class SrtpProtector {
public:
    static constexpr size_t kMasterLength = 30;  // 16-byte key + 14-byte salt
    static constexpr size_t kMaxTrailer = SRTP_MAX_TRAILER_LEN;

    // suite 80 or 32 (AES_CM_128_HMAC_SHA1_80/_32). Throws CryptoError on a bad suite/key or policy.
    SrtpProtector(int suite, ByteView masterKeyAndSalt);
    // Protects `length` bytes of RTP in place; `packet` must have kMaxTrailer spare bytes after them.
    bool protect(uint8_t* packet, size_t& length) noexcept;

private:
    struct Deleter {
        void operator()(srtp_ctx_t_* s) const noexcept { srtp_dealloc(s); }
    };
    std::unique_ptr<srtp_ctx_t_, Deleter> session_;
};

}  // namespace hipaa::room
