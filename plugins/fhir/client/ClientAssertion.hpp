// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The private_key_jwt client assertion of SMART Backend Services (RFC 7523): a compact JWS signed
// RS384 or ES384 with the client's private key, `kid` in the header, iss = sub = client id,
// aud = the token endpoint URL, a fresh random jti and a short exp.
#include "hipaa/OpenSsl.hpp"

#include <cstdint>
#include <string>

namespace hipaa::fhir {

class ClientAssertion {
public:
    enum class Alg { RS384, ES384 };

    // Loads a PEM private key from a 0600 file; the key must match the algorithm (RSA >= 2048 bits
    // for RS384, P-384 for ES384). Throws ConfigError naming the path, never the key.
    ClientAssertion(const std::string& keyFile, Alg alg, std::string kid, std::string clientId, std::string tokenUrl);

    // A new assertion valid `lifetimeSeconds` from `nowSeconds`.
    std::string sign(int64_t nowSeconds, int lifetimeSeconds = 240) const;

    static Alg parseAlg(const std::string& name);  // "RS384" | "ES384", else ConfigError
    static const char* algName(Alg alg) { return alg == Alg::RS384 ? "RS384" : "ES384"; }

private:
    std::string signature(const std::string& signingInput) const;

    EvpPkeyPtr key_;
    Alg alg_;
    std::string kid_, clientId_, tokenUrl_;
};

}  // namespace hipaa::fhir
