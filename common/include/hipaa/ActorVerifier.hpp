// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Verifies an actor token: a compact JWS from the clinic's identity provider naming the person
// (`sub`) and the role (`role`) behind one Admin API request. Same key handling as join tokens (PEM,
// JWKS; ES256, EdDSA, RS256; HS256 never), then iss, aud, exp/nbf/iat with skew and a short lifetime,
// role, multi-factor `amr` for staff roles, and finally the one-time (iss, jti): one token, one request.
// Refusals are ActorError with a shared code (hipaa::errc 361-366) and a stable reason slug.
#include "hipaa/ActorRole.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/KeyStore.hpp"
#include "hipaa/Pseudonymizer.hpp"
#include "hipaa/ReplayCache.hpp"

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hipaa {

struct ActorPolicy {
    std::set<std::string> issuers;
    std::string audience;
    int64_t skewS = 30;          // 0..60
    int64_t maxLifetimeS = 300;  // exp - iat and now - iat
    size_t maxSize = 8192;
    std::vector<std::string> mfaMethods{"mfa", "otp", "hwk", "sc", "swk"};
};

struct Actor {
    std::string iss, sub, jti;
    std::string pseudonym;  // Pseudonymizer::participant(iss, sub): the room's pseudonym of the same person
    ActorRole role = ActorRole::Patient;
    int64_t exp = 0;
};

class ActorError : public Error {
public:
    ActorError(int code, std::string reason, const std::string& what) : Error(code, what), reason_(std::move(reason)) {}
    const std::string& reason() const noexcept { return reason_; }
    std::string pseudonym;  // set once the signature verified (the token is authentic)
    std::string role;       // the role claim as written, once authentic

private:
    std::string reason_;
};

class ActorVerifier {
public:
    ActorVerifier(ActorPolicy policy, std::shared_ptr<const KeyStore> keys, Pseudonymizer pseudonyms);

    // Throws ActorError. On success the jti is spent.
    Actor verify(std::string_view token, int64_t nowS);
    const Pseudonymizer& pseudonyms() const { return pseudonyms_; }
    std::shared_ptr<const KeyStore> keys() const { return keys_; }

private:
    ActorPolicy policy_;
    std::shared_ptr<const KeyStore> keys_;
    Pseudonymizer pseudonyms_;
    ReplayCache spent_;
};

}  // namespace hipaa
