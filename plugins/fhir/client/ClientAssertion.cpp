// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientAssertion.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"
#include "hipaa/SecretFile.hpp"
#include "hipaa/SecureRandom.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace hipaa::fhir {
namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslDeleter<&ECDSA_SIG_free>>;

std::string b64url(std::string_view s) { return base64urlEncode(asBytes(s)); }

}  // namespace

ClientAssertion::Alg ClientAssertion::parseAlg(const std::string& name) {
    if (name == "RS384") return Alg::RS384;
    if (name == "ES384") return Alg::ES384;
    throw ConfigError("smart alg must be RS384 or ES384");
}

ClientAssertion::ClientAssertion(const std::string& keyFile, Alg alg, std::string kid, std::string clientId,
                                 std::string tokenUrl)
    : alg_(alg), kid_(std::move(kid)), clientId_(std::move(clientId)), tokenUrl_(std::move(tokenUrl)) {
    Bytes pem = readSecretFile(keyFile);
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    key_.reset(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!key_) throw ConfigError(keyFile + ": not a PEM private key");
    if (alg_ == Alg::RS384) {
        if (EVP_PKEY_get_base_id(key_.get()) != EVP_PKEY_RSA || EVP_PKEY_get_bits(key_.get()) < 2048)
            throw ConfigError(keyFile + ": RS384 needs an RSA key of at least 2048 bits");
    } else {
        char group[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_base_id(key_.get()) != EVP_PKEY_EC ||
            !EVP_PKEY_get_utf8_string_param(key_.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) ||
            std::string(group) != "secp384r1")
            throw ConfigError(keyFile + ": ES384 needs an EC P-384 key");
    }
    if (kid_.empty()) throw ConfigError("smart kid must not be empty");
    if (clientId_.empty()) throw ConfigError("smart client_id must not be empty");
}

std::string ClientAssertion::signature(const std::string& input) const {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key_.get()) != 1)
        throwOpenSsl("EVP_DigestSignInit");
    size_t len = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    if (EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1) throwOpenSsl("EVP_DigestSign");
    Bytes sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, data, input.size()) != 1) throwOpenSsl("EVP_DigestSign");
    sig.resize(len);
    if (alg_ == Alg::RS384) return base64urlEncode(sig);
    // JWS ES384 wants r || s, 48 bytes each (RFC 7518 §3.4), not OpenSSL's DER.
    const unsigned char* p = sig.data();
    EcdsaSigPtr ecdsa(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
    if (!ecdsa) throwOpenSsl("d2i_ECDSA_SIG");
    Bytes raw(96);
    if (BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa.get()), raw.data(), 48) != 48 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa.get()), raw.data() + 48, 48) != 48)
        throwOpenSsl("BN_bn2binpad");
    return base64urlEncode(raw);
}

std::string ClientAssertion::sign(int64_t now, int lifetimeSeconds) const {
    JsonPtr header = JsonBuilder().set("alg", algName(alg_)).set("kid", kid_).set("typ", "JWT").build();
    JsonPtr claims = JsonBuilder()
                         .set("iss", clientId_)
                         .set("sub", clientId_)
                         .set("aud", tokenUrl_)
                         .set("iat", now)
                         .set("exp", now + lifetimeSeconds)
                         .set("jti", hexEncode(secureRandomBytes(16)))
                         .build();
    std::string input = b64url(jsonDump(header.get())) + "." + b64url(jsonDump(claims.get()));
    return input + "." + signature(input);
}

}  // namespace hipaa::fhir
