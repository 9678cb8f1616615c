// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Ed25519 signing (audit checkpoints, deletion receipts). The private key is a 32-byte seed read from
// a 0600 file (raw, hex or base64); it never leaves this object.
#include "hipaa/Bytes.hpp"
#include "hipaa/Ed25519Verifier.hpp"
#include "hipaa/OpenSsl.hpp"

#include <array>
#include <string>

namespace hipaa {

class Ed25519Signer {
public:
    static constexpr size_t kSeedSize = 32;
    static constexpr size_t kSignatureSize = 64;
    using Signature = std::array<uint8_t, kSignatureSize>;

    // Throws CryptoError unless the seed is 32 bytes.
    explicit Ed25519Signer(ByteView seed);
    // readSecretKeyFile(path, 32): refuses files readable by group or others.
    static Ed25519Signer fromKeyFile(const std::string& path);
    // A fresh random key (tests and tools; real keys come from files).
    static Ed25519Signer generate();

    Signature sign(ByteView message) const;
    // The raw 32-byte public key that verifiers need.
    Bytes publicKey() const;
    Ed25519Verifier verifier() const { return Ed25519Verifier(publicKey()); }

private:
    EvpPkeyPtr key_;
};

}  // namespace hipaa
