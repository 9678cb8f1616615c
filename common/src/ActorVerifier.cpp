// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/ActorVerifier.hpp"

#include "hipaa/JwsToken.hpp"

#include <algorithm>

namespace hipaa {
namespace {

// NumericDates beyond 9999-12-31 are refused before any arithmetic on them.
constexpr int64_t kMaxNumericDate = 253402300799;

[[noreturn]] void refuse(int code, const char* reason, const std::string& what) {
    throw ActorError(code, reason, "actor token refused: " + what);
}

std::string requireString(const json_t* claims, const char* name) {
    const json_t* v = json_object_get(claims, name);
    if (!json_is_string(v) || json_string_length(v) == 0)
        refuse(errc::kActorTokenInvalid, "claim_missing", std::string("claim ") + name + " missing or not a string");
    return json_string_value(v);
}

int64_t requireTime(const json_t* claims, const char* name) {
    const json_t* v = json_object_get(claims, name);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > kMaxNumericDate)
        refuse(errc::kActorTokenInvalid, "claim_missing", std::string("claim ") + name + " missing or out of range");
    return json_integer_value(v);
}

}  // namespace

ActorVerifier::ActorVerifier(ActorPolicy policy, std::shared_ptr<const KeyStore> keys, Pseudonymizer pseudonyms)
    : policy_(std::move(policy)), keys_(std::move(keys)), pseudonyms_(std::move(pseudonyms)) {
    if (policy_.skewS < 0 || policy_.skewS > 60) throw ConfigError("actors.skew must be 0..60 s");
    if (!keys_ || keys_->empty()) throw ConfigError("actors: no actor token verification key configured");
}

Actor ActorVerifier::verify(std::string_view token, int64_t now) {
    std::optional<JwsToken> parsed;
    try {
        parsed.emplace(JwsToken::parse(token, policy_.maxSize));
    } catch (const JwsError& e) {
        throw ActorError(errc::kActorTokenInvalid, e.reason(), std::string("actor token refused: ") + e.what());
    }
    const JwsToken& t = *parsed;
    // HS256 never: an actor token must not be mintable by whoever holds a copy of the verifier's key.
    const std::string& alg = t.alg();
    if (alg != "ES256" && alg != "EdDSA" && alg != "RS256")
        refuse(errc::kActorTokenInvalid, "algorithm_refused", "algorithm not allowed");
    switch (keys_->check(t)) {
        case KeyStore::Signature::Verified:
            break;
        case KeyStore::Signature::AlgorithmMismatch:
            refuse(errc::kActorTokenInvalid, "algorithm_refused", "algorithm does not match its key");
        case KeyStore::Signature::UnknownKey:
            refuse(errc::kActorTokenInvalid, "unknown_key", "no verification key for this token");
        case KeyStore::Signature::Bad:
            refuse(errc::kActorTokenInvalid, "bad_signature", "signature invalid");
    }

    // Authentic from here: refusals name the actor by pseudonym (never iss/sub) for the audit trail.
    const json_t* c = t.claims();
    Actor a;
    std::string role;
    try {
        a.iss = requireString(c, "iss");
        a.sub = requireString(c, "sub");
        a.pseudonym = pseudonyms_.participant(a.iss, a.sub);
        if (const json_t* r = json_object_get(c, "role"); json_is_string(r)) role = json_string_value(r);
        a.jti = requireString(c, "jti");
        a.exp = requireTime(c, "exp");
        int64_t iat = requireTime(c, "iat");
        int64_t nbf = json_object_get(c, "nbf") ? requireTime(c, "nbf") : 0;
        if (!json_object_get(c, "aud")) refuse(errc::kActorTokenInvalid, "claim_missing", "claim aud missing");
        if (!policy_.issuers.contains(a.iss)) refuse(errc::kActorTokenNotOurs, "unknown_issuer", "issuer not accepted");
        if (!t.audienceContains(policy_.audience))
            refuse(errc::kActorTokenNotOurs, "wrong_audience", "audience is not this deployment");
        if (now > a.exp + policy_.skewS) refuse(errc::kActorTokenExpired, "expired", "expired");
        if (now + policy_.skewS < nbf || now + policy_.skewS < iat)
            refuse(errc::kActorTokenExpired, "not_yet_valid", "not valid yet");
        if (now - iat > policy_.maxLifetimeS + policy_.skewS || a.exp - iat > policy_.maxLifetimeS)
            refuse(errc::kActorTokenExpired, "too_old", "older or longer-lived than actors.max_lifetime");
        auto r = parseActorRole(role);
        if (!r) refuse(errc::kActorRoleUnknown, "unknown_role", "role missing or not a documented role");
        a.role = *r;  // NOLINT(bugprone-unchecked-optional-access): refuse() does not return
        if (actorRoleIsStaff(a.role)) {
            bool mfa = false;
            if (const json_t* amr = json_object_get(c, "amr"); json_is_array(amr)) {
                size_t i;
                const json_t* m;
                json_array_foreach(amr, i, m) {
                    if (json_is_string(m) && std::find(policy_.mfaMethods.begin(), policy_.mfaMethods.end(),
                                                       json_string_value(m)) != policy_.mfaMethods.end())
                        mfa = true;
                }
            }
            if (!mfa) refuse(errc::kActorMfaRequired, "mfa_required", "staff roles need multi-factor authentication");
        }
        // Last: only a token that passed everything spends its jti.
        switch (spent_.remember(a.iss, a.jti, a.exp + policy_.skewS, now)) {
            case ReplayCache::Result::Fresh:
                break;
            case ReplayCache::Result::Replayed:
                refuse(errc::kActorTokenReplayed, "replayed", "already used (one token, one request)");
            case ReplayCache::Result::Full:
                refuse(errc::kActorTokenReplayed, "replay_cache_full", "too many live tokens; retry later");
        }
    } catch (ActorError& e) {
        e.pseudonym = a.pseudonym;
        e.role = parseActorRole(role) ? role : (role.empty() ? "" : "unknown");  // free text stays out of the trail
        throw;
    }
    return a;
}

}  // namespace hipaa
