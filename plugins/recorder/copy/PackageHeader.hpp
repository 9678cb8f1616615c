// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The clear header of a patient copy (docs/recorder.md, "Patient copy"): who can open it and how its
// key is derived. Big-endian.
//   magic "JHCOPY1\n" (8) | kind u8 (1 x25519, 2 passphrase) | 3 zero bytes | chunk_bytes u32
//   x25519:     ephemeral public key (32)                 key = HKDF-SHA256(X25519(eph, recipient),
//                                                              salt eph_pub||recipient_pub, info kInfo)
//   passphrase: log2_n u8 | r u32 | p u32 | salt (16)     key = scrypt(passphrase, salt, 2^log2_n, r, p)
// The whole header is authenticated as part of every chunk's AAD (SealedPackageWriter).
#include "hipaa/Bytes.hpp"
#include "hipaa/Zeroize.hpp"

#include <cstdint>
#include <string_view>
#include <utility>

namespace hipaa::recorder {

struct ScryptParams {
    uint8_t log2N = 17;  // 2^17 * 128 * r = 128 MiB with r = 8 (OWASP's minimum for scrypt)
    uint32_t r = 8, p = 1;
};

class PackageHeader {
public:
    enum class Kind : uint8_t { X25519 = 1, Passphrase = 2 };
    static constexpr std::string_view kMagic{"JHCOPY1\n", 8};
    static constexpr std::string_view kInfo{"janus-hipaa/patient-copy/v1"};
    static constexpr uint32_t kDefaultChunk = 64 * 1024;
    static constexpr uint32_t kMaxChunk = 1 << 20;
    static constexpr size_t kMaxSize = 8 + 4 + 4 + 32 + 16;  // larger than either kind

    Kind kind = Kind::X25519;
    uint32_t chunkBytes = kDefaultChunk;
    Bytes ephemeralPublic;  // x25519
    ScryptParams scrypt;    // passphrase
    Bytes salt;             // passphrase

    // A fresh header and its package key. Throws CryptoError for a public key that is not X25519
    // (or yields the all-zero secret) and Error(kInvalidField) for an empty passphrase.
    static std::pair<PackageHeader, SecretBytes> forX25519(ByteView recipientPublic, uint32_t chunk = kDefaultChunk);
    static std::pair<PackageHeader, SecretBytes> forPassphrase(std::string_view passphrase, ScryptParams params = {},
                                                               uint32_t chunk = kDefaultChunk);

    Bytes encode() const;
    // Parses the header at the start of `data`; `used` is its length. Throws Error(kInvalidField)
    // naming what is wrong (not a package, unknown kind, parameters out of bounds).
    static PackageHeader parse(ByteView data, size_t& used);

    // The package key from the recipient's secret (CryptoError when the kind does not match).
    SecretBytes keyFromPrivate(ByteView x25519Private) const;
    SecretBytes keyFromPassphrase(std::string_view passphrase) const;
};

}  // namespace hipaa::recorder
