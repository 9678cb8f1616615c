// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Seals PHI for the outbox tables: AES-256-GCM, random 96-bit nonce per seal, the row's identity as
// associated data (a sealed value moved to another row does not open). Key: 32 bytes (hex or base64)
// from a file private to its owner.
#include "hipaa/AesGcm.hpp"
#include "hipaa/Bytes.hpp"

#include <string>

namespace hipaa::fhir {

class OutboxCipher {
public:
    explicit OutboxCipher(const std::string& keyFile);
    explicit OutboxCipher(ByteView key);

    Bytes seal(std::string_view aad, std::string_view plaintext) const;  // nonce || ciphertext || tag
    std::string open(std::string_view aad, ByteView sealed) const;       // throws CryptoError

private:
    AesGcm aead_;
};

}  // namespace hipaa::fhir
