// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// AES-256-GCM with a 96-bit nonce and a 128-bit tag. Used for spools, outboxes and recordings.
#include "hipaa/Bytes.hpp"

#include <optional>

namespace hipaa {

class AesGcm {
public:
    static constexpr size_t kKeySize = 32;
    static constexpr size_t kNonceSize = 12;
    static constexpr size_t kTagSize = 16;

    // Throws CryptoError unless the key is 32 bytes.
    explicit AesGcm(ByteView key);
    ~AesGcm();
    AesGcm(const AesGcm&) = delete;
    AesGcm& operator=(const AesGcm&) = delete;

    // Returns ciphertext || tag. The caller guarantees the nonce is never reused with this key.
    Bytes seal(ByteView nonce, ByteView aad, ByteView plaintext) const;
    // nullopt when authentication fails (wrong key, tampered data, wrong AAD or nonce).
    std::optional<Bytes> open(ByteView nonce, ByteView aad, ByteView sealed) const;

private:
    Bytes key_;
};

}  // namespace hipaa
