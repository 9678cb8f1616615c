// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Ed25519Signer.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"
#include "hipaa/SecureRandom.hpp"

#include <openssl/crypto.h>

namespace hipaa {

Ed25519Signer::Ed25519Signer(ByteView seed) {
    if (seed.size() != kSeedSize) throw CryptoError("Ed25519 private key must be 32 bytes");
    key_.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    if (!key_) throwOpenSsl("Ed25519 private key rejected");
}

Ed25519Signer Ed25519Signer::fromKeyFile(const std::string& path) {
    Bytes seed = readSecretKeyFile(path, kSeedSize);
    Ed25519Signer signer(seed);
    OPENSSL_cleanse(seed.data(), seed.size());
    return signer;
}

Ed25519Signer Ed25519Signer::generate() {
    Bytes seed = secureRandomBytes(kSeedSize);
    Ed25519Signer signer(seed);
    OPENSSL_cleanse(seed.data(), seed.size());
    return signer;
}

Ed25519Signer::Signature Ed25519Signer::sign(ByteView message) const {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx) throwOpenSsl("EVP_MD_CTX_new");
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) throwOpenSsl("Ed25519 sign init");
    Signature sig{};
    size_t len = sig.size();
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1 || len != sig.size())
        throwOpenSsl("Ed25519 sign");
    return sig;
}

Bytes Ed25519Signer::publicKey() const {
    Bytes pub(32);
    size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(key_.get(), pub.data(), &len) != 1 || len != 32) throwOpenSsl("Ed25519 public key");
    return pub;
}

}  // namespace hipaa
