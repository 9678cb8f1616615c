// SPDX-License-Identifier: GPL-3.0-or-later
#include "OutboxCipher.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"
#include "hipaa/SecureRandom.hpp"

#include <openssl/crypto.h>

namespace hipaa::fhir {
namespace {
Bytes loadKey(const std::string& file) { return readSecretKeyFile(file, AesGcm::kKeySize); }
}  // namespace

OutboxCipher::OutboxCipher(const std::string& keyFile) : OutboxCipher(ByteView(loadKey(keyFile))) {}

OutboxCipher::OutboxCipher(ByteView key) : aead_(key) {}

Bytes OutboxCipher::seal(std::string_view aad, std::string_view plaintext) const {
    Bytes nonce = secureRandomBytes(AesGcm::kNonceSize);
    Bytes ct = aead_.seal(nonce, asBytes(aad), asBytes(plaintext));
    nonce.insert(nonce.end(), ct.begin(), ct.end());
    return nonce;
}

std::string OutboxCipher::open(std::string_view aad, ByteView sealed) const {
    if (sealed.size() < AesGcm::kNonceSize + AesGcm::kTagSize) throw CryptoError("sealed outbox value too short");
    auto plain = aead_.open(sealed.first(AesGcm::kNonceSize), asBytes(aad), sealed.subspan(AesGcm::kNonceSize));
    if (!plain) throw CryptoError("sealed outbox value does not open (wrong key or tampered)");
    std::string out(asChars(*plain));
    OPENSSL_cleanse(plain->data(), plain->size());
    return out;
}

}  // namespace hipaa::fhir
