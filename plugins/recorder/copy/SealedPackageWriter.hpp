// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The encrypted body of a patient copy: after the PackageHeader, a stream of AES-256-GCM chunks,
//   length u32 (plaintext bytes; top bit set on the last chunk) | ciphertext | tag (16)
// nonce = 4 zero bytes || chunk index u64, AAD = header || chunk index u64 || length u32. The key is
// unique per package (fresh ephemeral key or salt), so counter nonces never repeat; the final flag in
// the AAD makes a truncated package fail. Streamed: at most one chunk is held in memory.
#include "PackageHeader.hpp"
#include "hipaa/AesGcm.hpp"

namespace hipaa::recorder {

class SealedPackageWriter {
public:
    static constexpr uint32_t kFinal = 0x80000000u;

    // Writes the header to `fd` (owned by the caller). Throws WriteError when the disk refuses.
    SealedPackageWriter(int fd, const PackageHeader& header, const SecretBytes& key);
    void write(ByteView data);
    // Seals the rest as the final chunk (possibly empty); nothing may be written after it.
    void finish();
    uint64_t bytesWritten() const { return written_; }

    static Bytes chunkNonce(uint64_t index);
    static Bytes chunkAad(const Bytes& header, uint64_t index, uint32_t length);

private:
    void seal(bool final);

    int fd_;
    Bytes header_;
    AesGcm aead_;
    uint32_t chunkBytes_;
    SecretBytes pending_;
    uint64_t index_ = 0, written_ = 0;
    bool finished_ = false;
};

}  // namespace hipaa::recorder
