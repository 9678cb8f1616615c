// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/AesGcm.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/OpenSsl.hpp"

#include <openssl/crypto.h>

#include <climits>

namespace hipaa {

AesGcm::AesGcm(ByteView key) : key_(key.begin(), key.end()) {
    if (key_.size() != kKeySize) throw CryptoError("AES-256-GCM key must be 32 bytes");
}

AesGcm::~AesGcm() { OPENSSL_cleanse(key_.data(), key_.size()); }

Bytes AesGcm::seal(ByteView nonce, ByteView aad, ByteView plaintext) const {
    if (nonce.size() != kNonceSize) throw CryptoError("AES-GCM nonce must be 12 bytes");
    if (plaintext.size() > INT_MAX - kTagSize || aad.size() > INT_MAX) throw CryptoError("AES-GCM input too large");
    EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    Bytes out(plaintext.size() + kTagSize);
    int len = 0, total = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce.data()) != 1 ||
        (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
        EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1)
        throwOpenSsl("AES-GCM seal failed");
    total = len;
    if (EVP_EncryptFinal_ex(ctx.get(), out.data() + total, &len) != 1) throwOpenSsl("AES-GCM seal failed");
    total += len;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, out.data() + total) != 1)
        throwOpenSsl("AES-GCM tag failed");
    return out;
}

std::optional<Bytes> AesGcm::open(ByteView nonce, ByteView aad, ByteView sealed) const {
    if (nonce.size() != kNonceSize || sealed.size() < kTagSize || sealed.size() > INT_MAX || aad.size() > INT_MAX)
        return std::nullopt;
    size_t ctLen = sealed.size() - kTagSize;
    EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    Bytes out(ctLen);
    int len = 0;
    Bytes tag(sealed.end() - kTagSize, sealed.end());
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce.data()) != 1 ||
        (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
        EVP_DecryptUpdate(ctx.get(), out.data(), &len, sealed.data(), static_cast<int>(ctLen)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1)
        return std::nullopt;
    int fin = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
        OPENSSL_cleanse(out.data(), out.size());
        return std::nullopt;
    }
    return out;
}

}  // namespace hipaa
