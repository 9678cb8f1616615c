#pragma once
// Ed25519 signatures (RFC 8032, OpenSSL) for receipts, manifests and checkpoints. The signer holds a
// 32-byte seed (from a 0600 key file); the verifier only the 32-byte public key.
#include "hipaa/Bytes.hpp"
#include "hipaa/OpenSsl.hpp"

#include <array>
#include <string>

namespace hipaa {

using Ed25519PublicKey = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;

class Ed25519Verifier {
public:
    // Throws CryptoError unless `publicKey` is 32 bytes.
    explicit Ed25519Verifier(ByteView publicKey);
    bool verify(ByteView message, ByteView signature) const;
    const Ed25519PublicKey& publicKey() const noexcept { return publicKey_; }

private:
    Ed25519PublicKey publicKey_{};
    EvpPkeyPtr key_;
};

class Ed25519Signer {
public:
    // Throws CryptoError unless `seed` is 32 bytes.
    explicit Ed25519Signer(ByteView seed);
    // Reads the seed (raw, hex or base64) from a 0600/0400 file; throws ConfigError otherwise.
    static Ed25519Signer fromFile(const std::string& path);
    static Ed25519Signer generate();

    Ed25519Signature sign(ByteView message) const;
    const Ed25519PublicKey& publicKey() const noexcept { return publicKey_; }
    Ed25519Verifier verifier() const { return Ed25519Verifier(publicKey_); }

private:
    Ed25519PublicKey publicKey_{};
    EvpPkeyPtr key_;
};

}  // namespace hipaa
