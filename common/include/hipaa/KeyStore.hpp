// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The token verification keys: public keys from PEM files (`kid=path`), a JWKS file (keys chosen by
// `kid`), HS256 secrets (`kid=path`), and the date-of-birth key the issuer and the room share for
// `dob_hmac`. Every file must be mode 0600/0400 (fail closed: a key someone else can replace is not a
// key). Immutable once loaded; a reload builds a new store.
#include "hipaa/VerifyKey.hpp"

#include "hipaa/Json.hpp"

#include <memory>
#include <string>
#include <vector>

namespace hipaa {

class JwsToken;

struct KeySources {
    std::vector<std::string> pemFiles;   // "kid=path"
    std::string jwksFile;                // may be empty
    std::vector<std::string> hmacFiles;  // "kid=path", HS256 secrets of >= 32 bytes
    std::string dobKeyFile;              // 32 bytes (raw, hex or base64); may be empty
};

class KeyStore {
public:
    // Marker line in a PEM file that makes it the development key (scripts/janus-conf.sh writes it).
    static constexpr const char* kDevelopmentMarker = "JANUS-HIPAA DEVELOPMENT KEY";

    // Throws ConfigError naming the file (never its content) on any unusable key.
    static std::shared_ptr<const KeyStore> load(const KeySources& sources);
    // For tests and the benchmark: keys built in memory.
    static std::shared_ptr<const KeyStore> fromKeys(std::vector<VerifyKey> keys, Bytes dobKey = {});
    // Parses one PEM public key (the content, not a path).
    static VerifyKey pemKey(const std::string& kid, const std::string& pem, const std::string& source);
    // Parses a JWKS document ({"keys":[...]}): EC P-256, OKP Ed25519, RSA >= 2048 bits.
    static std::vector<VerifyKey> jwksKeys(const std::string& json, const std::string& source);

    // The key with this kid whose algorithm is `alg`; with an empty kid, the only key of that alg.
    // nullptr when none (or several without a kid to choose).
    const VerifyKey* find(const std::string& kid, const std::string& alg) const;
    enum class Signature { Verified, AlgorithmMismatch, UnknownKey, Bad };
    // The token's key (by kid and alg) and its signature. A known kid under another alg is
    // AlgorithmMismatch: the key-confusion trick (e.g. HS256 keyed by an RSA public key).
    Signature check(const JwsToken& token, const VerifyKey** key = nullptr) const;
    bool hasKid(const std::string& kid) const;
    bool empty() const { return keys_.empty(); }
    bool hasDevelopmentKey() const;
    // The key of the `dob_hmac` claim (empty when none is configured).
    const Bytes& dobKey() const { return dobKey_; }
    // [{"kid","alg","source","development"}] for `info`: no key material.
    JsonPtr describe() const;

    ~KeyStore();

private:
    std::vector<VerifyKey> keys_;
    Bytes dobKey_;
};

}  // namespace hipaa
