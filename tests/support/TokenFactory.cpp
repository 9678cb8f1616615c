// SPDX-License-Identifier: GPL-3.0-or-later
#include "TokenFactory.hpp"

#include "TokenVerifier.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/SecureRandom.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

namespace hipaa::room::test {
namespace {

EvpPkeyPtr generate(const char* type, int param = 0) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* k = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) throw std::runtime_error("keygen init");
    if (std::string(type) == "EC" && EVP_PKEY_CTX_set_group_name(ctx.get(), "prime256v1") != 1)
        throw std::runtime_error("ec group");
    if (std::string(type) == "RSA" && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), param) != 1)
        throw std::runtime_error("rsa bits");
    if (EVP_PKEY_keygen(ctx.get(), &k) != 1) throw std::runtime_error("keygen");
    return EvpPkeyPtr(k);
}

std::string pem(EVP_PKEY* k, bool priv) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    int ok = priv ? PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr)
                  : PEM_write_bio_PUBKEY(bio.get(), k);
    if (ok != 1) throw std::runtime_error("pem");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
}

}  // namespace

TokenFactory::TokenFactory()
    : es_(generate("EC")),
      es2_(generate("EC")),
      ed_(generate("ED25519")),
      rs_(generate("RSA", 2048)),
      hs_(secureRandomBytes(32)),
      dob_(secureRandomBytes(32)) {}

EVP_PKEY* TokenFactory::key(const std::string& kid) const {
    if (kid == "es") return es_.get();
    if (kid == "es-other") return es2_.get();
    if (kid == "ed") return ed_.get();
    if (kid == "rs") return rs_.get();
    return nullptr;
}

std::string TokenFactory::publicPem(const std::string& kid) const { return pem(key(kid), false); }
std::string TokenFactory::privatePem(const std::string& kid) const { return pem(key(kid), true); }

std::shared_ptr<const KeyStore> TokenFactory::keys(bool withHs256) const {
    std::vector<VerifyKey> v;
    for (const char* kid : {"es", "ed", "rs"}) v.push_back(KeyStore::pemKey(kid, publicPem(kid), "test"));
    if (withHs256) {
        VerifyKey h;
        h.kid = "hs";
        h.alg = "HS256";
        h.secret = hs_;
        v.push_back(std::move(h));
    }
    return KeyStore::fromKeys(std::move(v), dob_);
}

std::string TokenFactory::dobHmac(const json_t* claims, const std::string& dob) const {
    return room::dobHmac(ByteView(dob_.data(), dob_.size()), std::string(jsonString(claims, "jti").value_or("")), dob);
}

JsonPtr TokenFactory::patientClaims(const std::string& room, int64_t now, const std::string& sub,
                                    const std::string& dob) const {
    JsonPtr c = claims(room, "patient", now, sub);
    jsonSet(c.get(), "dob_hmac", dobHmac(c.get(), dob));
    return c;
}

JsonPtr TokenFactory::claims(const std::string& room, const std::string& role, int64_t now, const std::string& sub,
                             int64_t ttl) const {
    JsonPtr c = jsonObject();
    jsonSet(c.get(), "iss", kIssuer);
    jsonSet(c.get(), "aud", kAudience);
    jsonSet(c.get(), "sub", sub);
    jsonSet(c.get(), "iat", now);
    jsonSet(c.get(), "nbf", now);
    jsonSet(c.get(), "exp", now + ttl);
    jsonSet(c.get(), "jti", hexEncode(secureRandomBytes(12)));
    jsonSet(c.get(), "room", room);
    jsonSet(c.get(), "role", role);
    JsonPtr amr = jsonArray();
    json_array_append_new(amr.get(), json_string(role == "provider" ? "mfa" : "pwd"));
    jsonSet(c.get(), "amr", std::move(amr));
    return c;
}

Bytes TokenFactory::signature(const std::string& input, const std::string& alg, const std::string& signKid) const {
    if (alg == "HS256") {
        Digest256 mac = hmacSha256(hs_, asBytes(input));
        return Bytes(mac.begin(), mac.end());
    }
    EVP_PKEY* k = key(signKid);
    if (!k) throw std::runtime_error("no test key " + signKid);
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    const EVP_MD* md = alg == "EdDSA" ? nullptr : EVP_sha256();
    size_t len = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, k) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) !=
            1)
        throw std::runtime_error("sign init");
    Bytes sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) != 1)
        throw std::runtime_error("sign");
    sig.resize(len);
    if (alg != "ES256") return sig;
    const unsigned char* p = sig.data();
    std::unique_ptr<ECDSA_SIG, OsslDeleter<&ECDSA_SIG_free>> es(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
    Bytes jose(64);
    BN_bn2binpad(ECDSA_SIG_get0_r(es.get()), jose.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es.get()), jose.data() + 32, 32);
    return jose;
}

std::string TokenFactory::signRaw(const std::string& headerJson, const std::string& payloadJson, const std::string& alg,
                                  const std::string& signKid) const {
    std::string input = base64urlEncode(asBytes(headerJson)) + "." + base64urlEncode(asBytes(payloadJson));
    return input + "." + base64urlEncode(signature(input, alg, signKid));
}

std::string TokenFactory::sign(const json_t* claims, const std::string& alg, const std::string& kid) const {
    std::string k = kid;
    if (k.empty()) k = alg == "ES256" ? "es" : alg == "EdDSA" ? "ed" : alg == "RS256" ? "rs" : "hs";
    JsonPtr h = jsonObject();
    jsonSet(h.get(), "alg", alg);
    jsonSet(h.get(), "kid", k);
    jsonSet(h.get(), "typ", "JWT");
    return signRaw(jsonDump(h.get()), jsonDump(claims), alg, k);
}

}  // namespace hipaa::room::test
