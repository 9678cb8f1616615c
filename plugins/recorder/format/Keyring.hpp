// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Versioned key-encryption keys that wrap each recording's data key (docs/recording-format.md).
// Keyring file (mode 0600), one key per line, `#` comments:
//   <version> kek <64 hex>              AES-256 KEK: wraps and unwraps (the host can decrypt)
//   <version> x25519 <64 hex>           recipient public key: wraps only (the host cannot decrypt)
//   <version> x25519-private <64 hex>   recipient private key (offline CLI): wraps and unwraps
//   <version> rsa-oaep <hex DER>        recipient RSA public key (SubjectPublicKeyInfo, >= 2048 bits):
//                                       wraps only, RSA-OAEP with SHA-256 (the host cannot decrypt)
//   <version> rsa-oaep-private <hex DER> its private key (PKCS#8; offline CLI): wraps and unwraps
// New recordings use the highest version; older versions stay for unwrapping and `rewrap`.
#include "RecordingHeader.hpp"
#include "hipaa/Zeroize.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hipaa::recorder {

class Keyring {
public:
    enum class Type { Kek, X25519Public, X25519Private, RsaOaepPublic, RsaOaepPrivate };
    struct Key {
        Type type;
        SecretBytes
            material;     // KEK or X25519 key (32 bytes); RSA: DER (SPKI public / PKCS#8 private); wiped when freed
        Bytes publicKey;  // X25519: raw public key; RSA: SPKI DER
    };
    // A recipient public key: this host wraps with it but can never unwrap.
    static bool publicOnly(Type t) { return t == Type::X25519Public || t == Type::RsaOaepPublic; }
    static constexpr int kMinRsaBits = 2048;

    Keyring() = default;
    // Throws ConfigError naming the file and line (never key material). The file's bytes are wiped
    // after parsing, also when it fails; fromText makes no copy of the text.
    static Keyring fromFile(const std::string& path);
    static Keyring fromText(std::string_view text, const std::string& name);
    void add(uint32_t version, Type type, ByteView material);

    bool empty() const { return keys_.empty(); }
    uint32_t newest() const;  // throws CryptoError when empty
    const Key* find(uint32_t version) const;

    // Wraps with key `version` (default: newest), bound to the file's fixed header.
    KeySlot wrap(ByteView dataKey, const Digest256& fixedHash, std::optional<uint32_t> version = std::nullopt) const;
    // nullopt when the key is unknown, public-only, or the slot does not authenticate.
    std::optional<SecretBytes> unwrap(const KeySlot& slot, const Digest256& fixedHash) const;

    static Bytes x25519PublicFromPrivate(ByteView privateKey);
    // A new RSA key pair of `bits` (>= kMinRsaBits): {PKCS#8 private DER, SPKI public DER}.
    static std::pair<Bytes, Bytes> rsaGenerate(int bits);

private:
    std::map<uint32_t, Key> keys_;
};

}  // namespace hipaa::recorder
