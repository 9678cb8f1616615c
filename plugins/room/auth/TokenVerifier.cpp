// SPDX-License-Identifier: GPL-3.0-or-later
#include "TokenVerifier.hpp"

#include "RoomErrors.hpp"

#include "hipaa/ConstantTime.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/JwsToken.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace hipaa::room {
namespace {

[[noreturn]] void refuse(int code, const char* reason, const std::string& what, const std::string& iss = {},
                         const std::string& sub = {}) {
    TokenError e(code, reason, what);
    e.iss = iss;
    e.sub = sub;
    throw TokenError(std::move(e));
}

std::string requireString(const json_t* claims, const char* name) {
    const json_t* v = json_object_get(claims, name);
    if (!json_is_string(v) || json_string_length(v) == 0)
        refuse(errc::kTokenClaimMissing, "claim_missing",
               std::string("token claim ") + name + " missing or not a string");
    return json_string_value(v);
}

int64_t requireTime(const json_t* claims, const char* name) {
    const json_t* v = json_object_get(claims, name);
    // NumericDate: integers only (a float or string time is refused rather than rounded), and bounded
    // so that exp + skew and friends cannot overflow.
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        refuse(errc::kTokenClaimMissing, "claim_missing",
               std::string("token claim ") + name + " missing or not an integer");
    if (json_integer_value(v) > kMaxNumericDate)
        refuse(errc::kTokenClaimMissing, "claim_missing",
               std::string("token claim ") + name + " is beyond the year 9999");
    return json_integer_value(v);
}

std::optional<std::string> optionalString(const json_t* obj, const char* name) {
    const json_t* v = json_object_get(obj, name);
    if (!v) return std::nullopt;
    if (!json_is_string(v))
        refuse(errc::kTokenClaimMissing, "claim_missing", std::string("token claim ") + name + " is not a string");
    return std::string(json_string_value(v));
}

bool validDob(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (d[i] < '0' || d[i] > '9') return false;
    return true;
}

}  // namespace

namespace {

Digest256 dobMac(ByteView key, const std::string& jti, const std::string& dob) {
    std::string msg = jti;
    msg.push_back('\0');
    msg.append(dob);
    Digest256 mac = hmacSha256(key, asBytes(msg));
    OPENSSL_cleanse(msg.data(), msg.size());
    return mac;
}

}  // namespace

std::string dobHmac(ByteView key, const std::string& jti, const std::string& dob) {
    Digest256 mac = dobMac(key, jti, dob);
    return base64urlEncode(ByteView(mac.data(), mac.size()));
}

TokenVerifier::TokenVerifier(TokenPolicy policy, std::shared_ptr<const KeyStore> keys)
    : policy_(std::move(policy)), keys_(std::move(keys)) {
    if (policy_.skewS < 0 || policy_.skewS > 60) throw ConfigError("token skew must be 0..60 s");
}

void TokenVerifier::setKeys(std::shared_ptr<const KeyStore> keys) {
    std::lock_guard lock(keysMutex_);
    keys_ = std::move(keys);
}

std::shared_ptr<const KeyStore> TokenVerifier::keys() const {
    std::lock_guard lock(keysMutex_);
    return keys_;
}

bool TokenVerifier::verifySignatureOnly(std::string_view token) const {
    try {
        JwsToken t = JwsToken::parse(token, policy_.maxSize);
        auto ks = keys();
        return ks && ks->check(t) == KeyStore::Signature::Verified;
    } catch (const JwsError&) {
        return false;
    }
}

namespace {

JwsToken parseJoinToken(std::string_view token, size_t maxSize) {
    try {
        return JwsToken::parse(token, maxSize);
    } catch (const JwsError& e) {
        int code = e.kind() == JwsError::Kind::TooLarge    ? errc::kTokenTooLarge
                   : e.kind() == JwsError::Kind::Algorithm ? errc::kTokenAlgorithm
                                                           : errc::kTokenMalformed;
        throw TokenError(code, e.reason(), e.what());
    }
}

}  // namespace

VerifiedToken TokenVerifier::verify(std::string_view token, const JoinCheck& check, int64_t now) {
    JwsToken t = parseJoinToken(token, policy_.maxSize);

    // Algorithm: an allow-list, never what the token says it wants.
    const std::string& alg = t.alg();
    bool algAllowed = alg == "ES256" || alg == "EdDSA" || alg == "RS256" || (alg == "HS256" && check.allowHs256);
    if (!algAllowed) refuse(errc::kTokenAlgorithm, "algorithm_refused", "token algorithm not allowed here");

    auto ks = keys();
    const VerifyKey* key = nullptr;
    switch (ks ? ks->check(t, &key) : KeyStore::Signature::UnknownKey) {
        case KeyStore::Signature::Verified:
            break;
        case KeyStore::Signature::AlgorithmMismatch:
            refuse(errc::kTokenAlgorithm, "algorithm_refused", "token algorithm does not match its key");
        case KeyStore::Signature::UnknownKey:
            refuse(errc::kTokenUnknownKey, "unknown_key", "no verification key for this token");
        case KeyStore::Signature::Bad:
            refuse(errc::kTokenSignature, "bad_signature", "token signature invalid");
    }

    // From here on the claims are authentic; refusals can name the subject (pseudonymized by the caller).
    const json_t* c = t.claims();
    VerifiedToken v;
    v.kid = key->kid;
    v.alg = alg;
    auto fail = [&](int code, const char* reason, const std::string& what) {
        refuse(code, reason, what, v.iss, v.sub);
    };
    try {
        v.iss = requireString(c, "iss");
        v.sub = requireString(c, "sub");
        v.jti = requireString(c, "jti");
        v.room = requireString(c, "room");
        std::string role = requireString(c, "role");
        v.exp = requireTime(c, "exp");
        v.iat = requireTime(c, "iat");
        if (json_object_get(c, "nbf")) v.nbf = requireTime(c, "nbf");
        if (!json_object_get(c, "aud")) refuse(errc::kTokenClaimMissing, "claim_missing", "token claim aud missing");
        // A link is a bearer URL sent by e-mail or SMS, signed but not encrypted: a date of birth hashed
        // without a key is read back from it in milliseconds. Refused, whatever the room.
        if (json_object_get(c, "dob_sha256"))
            fail(errc::kTokenDobLegacy, "dob_claim_obsolete",
                 "token carries dob_sha256 (readable by anyone holding the link); the issuer must send dob_hmac");

        if (!policy_.issuers.contains(v.iss)) fail(errc::kTokenIssuer, "unknown_issuer", "token issuer not accepted");
        if (!t.audienceContains(policy_.audience))
            fail(errc::kTokenAudience, "wrong_audience", "token audience is not this server");
        if (now > v.exp + policy_.skewS) fail(errc::kTokenExpired, "expired", "token expired");
        if (v.nbf && now + policy_.skewS < v.nbf) fail(errc::kTokenNotYetValid, "not_yet_valid", "token not valid yet");
        if (now + policy_.skewS < v.iat) fail(errc::kTokenNotYetValid, "not_yet_valid", "token issued in the future");
        if (now - v.iat > policy_.maxLifetimeS + policy_.skewS || v.exp - v.iat > policy_.maxLifetimeS)
            fail(errc::kTokenTooOld, "too_old", "token older or longer-lived than allowed");
        if (v.room != check.room) fail(errc::kTokenWrongRoom, "wrong_room", "token is for another room");
        auto r = parseRole(role);
        if (!r || !check.allowedRoles.contains(*r))
            fail(errc::kTokenUnknownRole, "unknown_role", "token role not allowed in this room");
        v.role = *r;  // NOLINT(bugprone-unchecked-optional-access): fail() does not return
        if (v.role == Role::Patient && json_object_get(c, "name"))
            fail(errc::kTokenPatientName, "name_in_patient_token",
                 "patient tokens carry no name; the client sends display in the join request");
        if (revocations_.isRevoked(v.sub, v.jti, v.room, now))
            fail(errc::kTokenRevoked, "revoked", "token or subject revoked");

        if (const json_t* amr = json_object_get(c, "amr")) {
            if (!json_is_array(amr))
                refuse(errc::kTokenClaimMissing, "claim_missing", "token claim amr is not an array");
            size_t i;
            const json_t* m;
            json_array_foreach(amr, i, m) if (json_is_string(m)) v.amr.emplace_back(json_string_value(m));
        }
        if (check.mfaRoles.contains(v.role)) {
            bool mfa = std::any_of(v.amr.begin(), v.amr.end(), [&](const std::string& m) {
                return std::find(policy_.mfaMethods.begin(), policy_.mfaMethods.end(), m) != policy_.mfaMethods.end();
            });
            if (!mfa) fail(errc::kTokenMfaRequired, "mfa_required", "this role requires multi-factor authentication");
        }
        if (auto name = optionalString(c, "name")) v.name = *name;
        if (const json_t* f = json_object_get(c, "fhir")) {
            if (!json_is_object(f))
                refuse(errc::kTokenClaimMissing, "claim_missing", "token claim fhir is not an object");
            v.fhir.patient = optionalString(f, "patient").value_or("");
            v.fhir.practitioner = optionalString(f, "practitioner").value_or("");
            v.fhir.encounter = optionalString(f, "encounter").value_or("");
            v.fhir.appointment = optionalString(f, "appointment").value_or("");
        }
        if (check.subjectLocked && check.subjectLocked(v.iss, v.sub))
            fail(errc::kRoomLockedOut, "locked_out", "too many failed date-of-birth checks; try again later");
        // The shared store spends the jti (given back on a wrong date of birth): every other claim is
        // read before, so none refuses after it.
        if (check.shared) check.shared(v);
        if (!check.spend) {
            if (replay_.contains(v.iss, v.jti, now))
                refuse(errc::kTokenReplayed, "replayed", "token already used", v.iss, v.sub);
            return v;
        }
        if (check.dobCheck && v.role == Role::Patient) {
            // Keyed with a secret only the issuer and the room hold, over this token's jti: the link
            // alone tells nothing about the date, and a MAC from one link fits no other.
            auto claim = optionalString(c, "dob_hmac");
            auto want = claim ? base64urlDecode(*claim) : std::nullopt;
            const Bytes& dobKey = ks->dobKey();
            if (!want || want->size() != 32 || dobKey.empty() || !check.dob || !validDob(*check.dob))
                fail(errc::kTokenDobMismatch, "dob_mismatch", "date of birth check failed");
            Digest256 got = dobMac(ByteView(dobKey.data(), dobKey.size()), v.jti, *check.dob);
            if (!constantTimeEqual(ByteView(got.data(), got.size()), *want))
                fail(errc::kTokenDobMismatch, "dob_mismatch", "date of birth check failed");
        }

        // Last: only a token that passed everything spends its jti.
        switch (replay_.remember(v.iss, v.jti, v.exp + policy_.skewS, now)) {
            case ReplayCache::Result::Fresh:
                break;
            case ReplayCache::Result::Replayed:
                refuse(errc::kTokenReplayed, "replayed", "token already used", v.iss, v.sub);
            case ReplayCache::Result::Full:
                refuse(errc::kTokenReplayed, "replay_cache_full", "too many live tokens; retry later", v.iss, v.sub);
        }
    } catch (TokenError& e) {
        if (e.sub.empty()) {
            e.iss = v.iss;
            e.sub = v.sub;
        }
        e.verified = true;
        throw;
    }
    return v;
}

}  // namespace hipaa::room
