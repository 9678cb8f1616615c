// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/KeyStore.hpp"

#include "hipaa/JwsToken.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"
#include "hipaa/SecretFile.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <set>

namespace hipaa {
namespace {

using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslDeleter<&OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OsslDeleter<&OSSL_PARAM_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslDeleter<&BN_free>>;

std::pair<std::string, std::string> splitKidPath(const std::string& entry) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size())
        throw ConfigError("key entry must be kid=path: " + entry);
    return {entry.substr(0, eq), entry.substr(eq + 1)};
}

// Fixes the algorithm from the key type; refuses curves and sizes we do not accept.
std::string algOf(EVP_PKEY* pkey, const std::string& source) {
    if (EVP_PKEY_is_a(pkey, "ED25519")) return "EdDSA";
    if (EVP_PKEY_is_a(pkey, "EC")) {
        char group[64] = {0};
        size_t len = 0;
        if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1 || std::string(group) != "prime256v1")
            throw ConfigError(source + ": EC keys must be on P-256 (ES256)");
        return "ES256";
    }
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        if (EVP_PKEY_get_bits(pkey) < 2048) throw ConfigError(source + ": RSA keys must have at least 2048 bits");
        return "RS256";
    }
    throw ConfigError(source + ": unsupported key type (use P-256, Ed25519 or RSA)");
}

Bytes b64field(const json_t* jwk, const char* name, const std::string& source, size_t exact = 0) {
    auto s = jsonString(jwk, name);
    if (!s) throw ConfigError(source + ": JWK field " + name + " missing");
    auto b = base64urlDecode(*s);
    if (!b || b->empty() || (exact && b->size() != exact))
        throw ConfigError(source + ": JWK field " + name + " is not valid base64url of the right size");
    return std::move(*b);
}

EvpPkeyPtr fromData(const char* type, OSSL_PARAM_BLD* bld, const std::string& source) {
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        ERR_clear_error();
        throw ConfigError(source + ": JWK is not a valid public key");
    }
    return EvpPkeyPtr(raw);
}

VerifyKey jwkKey(const json_t* jwk, const std::string& source) {
    if (!json_is_object(jwk)) throw ConfigError(source + ": every JWKS key must be an object");
    auto kid = jsonString(jwk, "kid");
    auto kty = jsonString(jwk, "kty");
    if (!kid || kid->empty()) throw ConfigError(source + ": every JWKS key needs a kid");
    if (!kty) throw ConfigError(source + ": JWK without kty");
    if (auto use = jsonString(jwk, "use"); use && *use != "sig") throw ConfigError(source + ": JWK use is not sig");
    if (json_object_get(jwk, "d")) throw ConfigError(source + ": JWKS holds a private key; give public keys only");
    VerifyKey k;
    k.kid = *kid;
    k.source = source;
    if (*kty == "EC") {
        if (jsonString(jwk, "crv").value_or("") != "P-256") throw ConfigError(source + ": EC JWK must be P-256");
        Bytes x = b64field(jwk, "x", source, 32), y = b64field(jwk, "y", source, 32);
        Bytes point{0x04};
        point.insert(point.end(), x.begin(), x.end());
        point.insert(point.end(), y.begin(), y.end());
        ParamBldPtr bld(OSSL_PARAM_BLD_new());
        if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
            OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
            throwOpenSsl("OSSL_PARAM_BLD");
        k.pkey = fromData("EC", bld.get(), source);
    } else if (*kty == "OKP") {
        if (jsonString(jwk, "crv").value_or("") != "Ed25519") throw ConfigError(source + ": OKP JWK must be Ed25519");
        Bytes x = b64field(jwk, "x", source, 32);
        k.pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x.data(), x.size()));
        if (!k.pkey) throw ConfigError(source + ": JWK is not a valid Ed25519 key");
    } else if (*kty == "RSA") {
        Bytes n = b64field(jwk, "n", source), e = b64field(jwk, "e", source);
        BignumPtr bn(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
        BignumPtr be(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
        ParamBldPtr bld(OSSL_PARAM_BLD_new());
        if (!bn || !be || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn.get()) != 1 ||
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, be.get()) != 1)
            throwOpenSsl("OSSL_PARAM_BLD");
        k.pkey = fromData("RSA", bld.get(), source);
    } else {
        throw ConfigError(source + ": unsupported JWK kty (EC, OKP, RSA)");
    }
    k.alg = algOf(k.pkey.get(), source);
    if (auto alg = jsonString(jwk, "alg"); alg && *alg != k.alg)
        throw ConfigError(source + ": JWK alg does not match its key type");
    return k;
}

}  // namespace

VerifyKey KeyStore::pemKey(const std::string& kid, const std::string& pem, const std::string& source) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) throwOpenSsl("BIO_new_mem_buf");
    VerifyKey k;
    k.pkey.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!k.pkey) {
        ERR_clear_error();
        throw ConfigError(source + ": not a PEM public key (BEGIN PUBLIC KEY)");
    }
    k.kid = kid;
    k.source = source;
    k.alg = algOf(k.pkey.get(), source);
    k.development = pem.find(kDevelopmentMarker) != std::string::npos;
    return k;
}

std::vector<VerifyKey> KeyStore::jwksKeys(const std::string& json, const std::string& source) {
    json_error_t err;
    JsonPtr doc = jsonAdopt(json_loadb(json.data(), json.size(), JSON_REJECT_DUPLICATES, &err));
    const json_t* keys = doc ? json_object_get(doc.get(), "keys") : nullptr;
    if (!json_is_array(keys)) throw ConfigError(source + ": not a JWKS document ({\"keys\":[...]})");
    std::vector<VerifyKey> out;
    size_t i;
    const json_t* jwk;
    json_array_foreach(keys, i, jwk) out.push_back(jwkKey(jwk, source));
    return out;
}

std::shared_ptr<const KeyStore> KeyStore::load(const KeySources& sources) {
    std::vector<VerifyKey> keys;
    for (const auto& entry : sources.pemFiles) {
        auto [kid, path] = splitKidPath(entry);
        Bytes raw = loadSecret("keys.pem_files", [file = path] { return readSecretFile(file); });
        keys.push_back(pemKey(kid, std::string(asChars(raw)), path));
    }
    if (!sources.jwksFile.empty()) {
        Bytes raw = loadSecret("keys.jwks_file", [&] { return readSecretFile(sources.jwksFile); });
        for (auto& k : jwksKeys(std::string(asChars(raw)), sources.jwksFile)) keys.push_back(std::move(k));
    }
    for (const auto& entry : sources.hmacFiles) {
        auto [kid, path] = splitKidPath(entry);
        VerifyKey k;
        k.kid = kid;
        k.alg = "HS256";
        k.source = path;
        k.secret = loadSecret("keys.hs256_files", [file = path] { return readSecretFile(file); });
        while (!k.secret.empty() && (k.secret.back() == '\n' || k.secret.back() == '\r')) k.secret.pop_back();
        if (k.secret.size() < 32) throw ConfigError(path + ": HS256 secrets must have at least 32 bytes");
        keys.push_back(std::move(k));
    }
    Bytes dobKey;
    if (!sources.dobKeyFile.empty()) dobKey = readSecretKeyFile(sources.dobKeyFile, 32);
    return fromKeys(std::move(keys), std::move(dobKey));
}

KeyStore::~KeyStore() { OPENSSL_cleanse(dobKey_.data(), dobKey_.size()); }

std::shared_ptr<const KeyStore> KeyStore::fromKeys(std::vector<VerifyKey> keys, Bytes dobKey) {
    std::set<std::string> kids;
    for (const auto& k : keys)
        if (!kids.insert(k.kid).second) throw ConfigError("duplicate key id: " + k.kid);
    auto store = std::make_shared<KeyStore>();
    store->keys_ = std::move(keys);
    store->dobKey_ = std::move(dobKey);
    return store;
}

const VerifyKey* KeyStore::find(const std::string& kid, const std::string& alg) const {
    const VerifyKey* found = nullptr;
    for (const auto& k : keys_) {
        if (!kid.empty()) {
            if (k.kid == kid) return k.alg == alg ? &k : nullptr;
        } else if (k.alg == alg) {
            if (found) return nullptr;  // ambiguous: the token must name its key
            found = &k;
        }
    }
    return found;
}

bool KeyStore::hasKid(const std::string& kid) const {
    for (const auto& k : keys_)
        if (k.kid == kid) return true;
    return false;
}

bool KeyStore::hasDevelopmentKey() const {
    for (const auto& k : keys_)
        if (k.development) return true;
    return false;
}

JsonPtr KeyStore::describe() const {
    JsonArrayBuilder arr;
    for (const auto& k : keys_)
        arr.push(JsonBuilder()
                     .set("kid", k.kid)
                     .set("alg", k.alg)
                     .set("source", k.source)
                     .set("development", k.development)
                     .build());
    return std::move(arr).build();
}

KeyStore::Signature KeyStore::check(const JwsToken& token, const VerifyKey** key) const {
    const VerifyKey* k = find(token.kid(), token.alg());
    if (!k) return !token.kid().empty() && hasKid(token.kid()) ? Signature::AlgorithmMismatch : Signature::UnknownKey;
    if (key) *key = k;
    return k->verify(token.signingInput(), token.signature()) ? Signature::Verified : Signature::Bad;
}

}  // namespace hipaa
