// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Streaming AEAD over a recording file (STREAM construction with AES-256-GCM): chunk i is sealed
// under a per-file key with nonce = u64 i || 0x000000 || last and AAD = SHA-256(fixed header) || u64 i
// || last. Dropping, reordering, duplicating, truncating or extending chunks, or editing the header,
// makes some open() fail.
#include "RecordingHeader.hpp"
#include "hipaa/AesGcm.hpp"
#include "hipaa/OpenSsl.hpp"

#include <optional>

namespace hipaa::recorder {

class ChunkSealer {
public:
    // dataKey: the recording's 32-byte data key. The file key is HKDF(dataKey, fileSalt).
    ChunkSealer(ByteView dataKey, const RecordingHeader& header);

    Bytes seal(uint64_t counter, bool last, ByteView plaintext);
    // Writes ciphertext || tag (plaintext.size() + 16 bytes) to `out`, which must not overlap the
    // plaintext: a caller that fails to store the result still holds the plaintext, never a
    // ciphertext that a second seal under the same nonce would turn back into plaintext.
    void sealTo(uint64_t counter, bool last, ByteView plaintext, uint8_t* out);
    std::optional<Bytes> open(uint64_t counter, bool last, ByteView sealed) const;

private:
    static std::array<uint8_t, AesGcm::kNonceSize> nonce(uint64_t counter, bool last);
    Bytes aad(uint64_t counter, bool last) const;

    Digest256 headerHash_;
    std::optional<AesGcm> gcm_;
    EvpCipherCtxPtr sealCtx_;  // keyed once; only the nonce changes per chunk
};

}  // namespace hipaa::recorder
