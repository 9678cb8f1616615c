#pragma once
// Versioned key-encryption keys that wrap each recording's data key (docs/recording-format.md).
// Keyring file (mode 0600), one key per line, `#` comments:
//   <version> kek <64 hex>              AES-256 KEK: wraps and unwraps (the host can decrypt)
//   <version> x25519 <64 hex>           recipient public key: wraps only (the host cannot decrypt)
//   <version> x25519-private <64 hex>   recipient private key (offline CLI): wraps and unwraps
// New recordings use the highest version; older versions stay for unwrapping and `rewrap`.
#include "RecordingHeader.hpp"

#include <map>
#include <optional>
#include <string>

namespace hipaa::recorder {

class Keyring {
public:
    enum class Type { Kek, X25519Public, X25519Private };
    struct Key {
        Type type;
        Bytes material;  // KEK or private key (32 bytes), public key for X25519Public
        Bytes publicKey; // X25519 only
    };

    Keyring() = default;
    // Throws ConfigError naming the file and line (never key material).
    static Keyring fromFile(const std::string& path);
    static Keyring fromText(const std::string& text, const std::string& name);
    void add(uint32_t version, Type type, ByteView material);

    bool empty() const { return keys_.empty(); }
    uint32_t newest() const;  // throws CryptoError when empty
    const Key* find(uint32_t version) const;

    // Wraps with key `version` (default: newest), bound to the file's fixed header.
    KeySlot wrap(ByteView dataKey, const Digest256& fixedHash, std::optional<uint32_t> version = std::nullopt) const;
    // nullopt when the key is unknown, public-only, or the slot does not authenticate.
    std::optional<Bytes> unwrap(const KeySlot& slot, const Digest256& fixedHash) const;

    static Bytes x25519PublicFromPrivate(ByteView privateKey);

private:
    std::map<uint32_t, Key> keys_;
};

}  // namespace hipaa::recorder
