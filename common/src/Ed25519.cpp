#include "hipaa/Ed25519.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"
#include "hipaa/SecureRandom.hpp"

#include <openssl/crypto.h>

namespace hipaa {

Ed25519Verifier::Ed25519Verifier(ByteView publicKey) {
    if (publicKey.size() != publicKey_.size()) throw CryptoError("Ed25519 public key must be 32 bytes");
    std::copy(publicKey.begin(), publicKey.end(), publicKey_.begin());
    key_.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, publicKey_.data(), publicKey_.size()));
    if (!key_) throwOpenSsl("Ed25519 public key rejected");
}

bool Ed25519Verifier::verify(ByteView message, ByteView signature) const {
    if (signature.size() != sizeof(Ed25519Signature)) return false;
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
}

Ed25519Signer::Ed25519Signer(ByteView seed) {
    if (seed.size() != 32) throw CryptoError("Ed25519 seed must be 32 bytes");
    key_.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    size_t len = publicKey_.size();
    if (!key_ || EVP_PKEY_get_raw_public_key(key_.get(), publicKey_.data(), &len) != 1 || len != publicKey_.size())
        throwOpenSsl("Ed25519 key rejected");
}

Ed25519Signer Ed25519Signer::fromFile(const std::string& path) {
    Bytes seed = readSecretKeyFile(path, 32);
    Ed25519Signer s(seed);
    OPENSSL_cleanse(seed.data(), seed.size());
    return s;
}

Ed25519Signer Ed25519Signer::generate() {
    Bytes seed = secureRandomBytes(32);
    Ed25519Signer s(seed);
    OPENSSL_cleanse(seed.data(), seed.size());
    return s;
}

Ed25519Signature Ed25519Signer::sign(ByteView message) const {
    Ed25519Signature sig{};
    size_t len = sig.size();
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1 || len != sig.size())
        throwOpenSsl("Ed25519 signing failed");
    return sig;
}

}  // namespace hipaa
