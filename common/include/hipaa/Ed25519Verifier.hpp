// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Ed25519 verification with only the 32-byte public key (what an auditor holds).
#include "hipaa/Bytes.hpp"
#include "hipaa/OpenSsl.hpp"

#include <string>

namespace hipaa {

class Ed25519Verifier {
public:
    static constexpr size_t kPublicKeySize = 32;
    // Throws CryptoError unless the key is 32 bytes.
    explicit Ed25519Verifier(ByteView publicKey);
    // A file holding the public key (raw, hex or base64); public keys need no 0600 mode.
    static Ed25519Verifier fromKeyFile(const std::string& path);

    bool verify(ByteView message, ByteView signature) const;
    // Hex of the first 16 bytes of SHA-256(public key): names the key in signed records.
    std::string keyId() const;
    static std::string keyId(ByteView publicKey);

private:
    EvpPkeyPtr key_;
    Bytes raw_;
};

}  // namespace hipaa
