// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChunkSealer.hpp"

#include "ByteOrder.hpp"
#include "Hkdf.hpp"
#include "hipaa/Errors.hpp"

#include <openssl/crypto.h>

#include <climits>

namespace hipaa::recorder {

ChunkSealer::ChunkSealer(ByteView dataKey, const RecordingHeader& header) : headerHash_(header.fixedHash()) {
    Bytes fileKey = hkdfSha256(dataKey, header.fileSalt, asBytes("janus-hipaa/recording/chunk-key/v1"), 32);
    gcm_.emplace(fileKey);
    sealCtx_.reset(EVP_CIPHER_CTX_new());
    if (!sealCtx_ || EVP_EncryptInit_ex(sealCtx_.get(), EVP_aes_256_gcm(), nullptr, fileKey.data(), nullptr) != 1)
        throwOpenSsl("AES-GCM setup failed");
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

Bytes ChunkSealer::seal(uint64_t counter, bool last, ByteView plaintext) {
    Bytes b(plaintext.size() + AesGcm::kTagSize);
    sealTo(counter, last, plaintext, b.data());
    return b;
}

void ChunkSealer::sealTo(uint64_t counter, bool last, ByteView plaintext, uint8_t* out) {
    if (plaintext.size() > INT_MAX - AesGcm::kTagSize) throw CryptoError("chunk too large");
    auto n = nonce(counter, last);
    Bytes a = aad(counter, last);
    int len = 0, tail = 0;
    EVP_CIPHER_CTX* ctx = sealCtx_.get();
    if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, n.data()) != 1 ||
        EVP_EncryptUpdate(ctx, nullptr, &len, a.data(), static_cast<int>(a.size())) != 1 ||
        EVP_EncryptUpdate(ctx, out, &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx, out + len, &tail) != 1)
        throwOpenSsl("AES-GCM seal failed");
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, AesGcm::kTagSize, out + plaintext.size()) != 1)
        throwOpenSsl("AES-GCM tag failed");
}

std::optional<Bytes> ChunkSealer::open(uint64_t counter, bool last, ByteView sealed) const {
    return gcm_->open(nonce(counter, last), aad(counter, last), sealed);
}

}  // namespace hipaa::recorder
