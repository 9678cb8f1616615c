#include "ChunkSealer.hpp"

#include "ByteOrder.hpp"
#include "Hkdf.hpp"

#include <openssl/crypto.h>

namespace hipaa::recorder {

ChunkSealer::ChunkSealer(ByteView dataKey, const RecordingHeader& header) : headerHash_(header.fixedHash()) {
    Bytes fileKey = hkdfSha256(dataKey, header.fileSalt, asBytes("janus-hipaa/recording/chunk-key/v1"), 32);
    gcm_.emplace(fileKey);
    OPENSSL_cleanse(fileKey.data(), fileKey.size());
}

std::array<uint8_t, AesGcm::kNonceSize> ChunkSealer::nonce(uint64_t counter, bool last) {
    std::array<uint8_t, AesGcm::kNonceSize> n{};
    for (int i = 0; i < 8; ++i) n[static_cast<size_t>(i)] = static_cast<uint8_t>(counter >> (56 - 8 * i));
    n[11] = last ? 1 : 0;
    return n;
}

Bytes ChunkSealer::aad(uint64_t counter, bool last) const {
    Bytes a(headerHash_.begin(), headerHash_.end());
    putU64(a, counter);
    a.push_back(last ? 1 : 0);
    return a;
}

Bytes ChunkSealer::seal(uint64_t counter, bool last, ByteView plaintext) const {
    return gcm_->seal(nonce(counter, last), aad(counter, last), plaintext);
}

std::optional<Bytes> ChunkSealer::open(uint64_t counter, bool last, ByteView sealed) const {
    return gcm_->open(nonce(counter, last), aad(counter, last), sealed);
}

}  // namespace hipaa::recorder
