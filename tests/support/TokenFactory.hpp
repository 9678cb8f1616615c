// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test issuer: fresh keys for every algorithm (ES256 "es", EdDSA "ed", RS256 "rs", HS256 "hs") and a
// signer for arbitrary headers and claims, so tests can build legitimate and hostile tokens alike.
#include "hipaa/KeyStore.hpp"

#include "hipaa/Json.hpp"
#include "hipaa/OpenSsl.hpp"

#include <memory>
#include <string>

namespace hipaa::room::test {

class TokenFactory {
public:
    static constexpr const char* kIssuer = "https://idp.test";
    static constexpr const char* kAudience = "janus-hipaa";

    TokenFactory();
    std::shared_ptr<const KeyStore> keys(bool withHs256 = true) const;
    std::string publicPem(const std::string& kid) const;
    std::string privatePem(const std::string& kid) const;
    const Bytes& hmacSecret() const { return hs_; }
    // The date-of-birth key keys() carries; dobHmac = the claim an issuer computes with it.
    const Bytes& dobKey() const { return dob_; }
    std::string dobHmac(const json_t* claims, const std::string& dob) const;
    // Claims with dob_hmac for `dob` (patients of dob_check classes).
    JsonPtr patientClaims(const std::string& room, int64_t now, const std::string& sub, const std::string& dob) const;

    // Valid claims for room/role, issued at `now` with the given lifetime.
    JsonPtr claims(const std::string& room, const std::string& role, int64_t now, const std::string& sub = "sub-1",
                   int64_t ttl = 600) const;
    // Signs header.payload with the key `signKid` using `alg` (the header's alg may say something else).
    std::string signRaw(const std::string& headerJson, const std::string& payloadJson, const std::string& alg,
                        const std::string& signKid) const;
    // {"alg":alg,"kid":kid,"typ":"JWT"} over claims, signed with kid's key.
    std::string sign(const json_t* claims, const std::string& alg = "ES256", const std::string& kid = "") const;
    Bytes signature(const std::string& input, const std::string& alg, const std::string& signKid) const;

private:
    EVP_PKEY* key(const std::string& kid) const;
    EvpPkeyPtr es_, es2_, ed_, rs_;
    Bytes hs_, dob_;
};

}  // namespace hipaa::room::test
