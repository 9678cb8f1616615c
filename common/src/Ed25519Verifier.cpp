// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Ed25519Verifier.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"

#include <openssl/err.h>

#include <cctype>
#include <fstream>
#include <iterator>

namespace hipaa {

Ed25519Verifier::Ed25519Verifier(ByteView publicKey) : raw_(publicKey.begin(), publicKey.end()) {
    if (publicKey.size() != kPublicKeySize) throw CryptoError("Ed25519 public key must be 32 bytes");
    key_.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, publicKey.data(), publicKey.size()));
    if (!key_) throwOpenSsl("Ed25519 public key rejected");
}

Ed25519Verifier Ed25519Verifier::fromKeyFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read public key file " + path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() == kPublicKeySize) return Ed25519Verifier(asBytes(text));
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    if (auto hex = hexDecode(text); hex && hex->size() == kPublicKeySize) return Ed25519Verifier(*hex);
    if (auto b64 = base64Decode(text); b64 && b64->size() == kPublicKeySize) return Ed25519Verifier(*b64);
    throw ConfigError("public key file " + path + " must hold 32 bytes (raw, hex or base64)");
}

bool Ed25519Verifier::verify(ByteView message, ByteView signature) const {
    if (signature.size() != 64) return false;
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
        ERR_clear_error();
        return false;
    }
    bool ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
    ERR_clear_error();
    return ok;
}

std::string Ed25519Verifier::keyId() const { return keyId(raw_); }

std::string Ed25519Verifier::keyId(ByteView publicKey) {
    Digest256 d = sha256(publicKey);
    return hexEncode(ByteView(d.data(), 16));
}

}  // namespace hipaa
