// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Verifies a join token end to end: size, structure, algorithm, key (by kid), signature, then the
// claims (iss, aud, exp/nbf/iat with skew, lifetime, room, role, PHI a link may not carry, revocation,
// MFA, the subject's lockout, date of birth) and finally the one-time (iss, jti). Every refusal is a
// TokenError with its own code (RoomErrors.hpp). Thread-safe: keys are swapped atomically by reload,
// caches lock internally.
#include "RevocationList.hpp"
#include "Role.hpp"

#include "hipaa/KeyStore.hpp"
#include "hipaa/ReplayCache.hpp"
#include "hipaa/VisitEvents.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hipaa::room {

struct TokenPolicy {
    std::set<std::string> issuers;
    std::string audience;
    int64_t skewS = 30;           // <= 60
    int64_t maxLifetimeS = 3600;  // exp - iat and now - iat
    size_t maxSize = 8192;
    std::vector<std::string> mfaMethods{"mfa", "otp", "hwk", "sc", "swk"};
};

struct VerifiedToken;

// What the join asks for, from the room and its class.
struct JoinCheck {
    std::string room;
    bool allowHs256 = false;
    std::set<Role> allowedRoles{Role::Provider, Role::Patient, Role::Interpreter, Role::Observer, Role::Support};
    std::set<Role> mfaRoles{Role::Provider};
    bool dobCheck = false;
    std::optional<std::string> dob;  // typed by the patient, "YYYY-MM-DD"
    // Asked once the signature verified, before the date of birth: true refuses the token (417)
    // without looking at the date, so a locked subject learns nothing about its guesses.
    std::function<bool(const std::string& iss, const std::string& sub)> subjectLocked;
    // Cluster: asked right after subjectLocked (the authentic token passed every local check but the
    // date of birth and the local replay cache); throws TokenError to refuse. It spends the jti in
    // the shared store, so it runs once per join.
    std::function<void(const VerifiedToken& token)> shared;
    // false: a join this instance redirects to the room's host. Everything above is checked but the
    // date of birth (the host checks it); a spent jti is refused, none is spent.
    bool spend = true;
};

// NumericDates above this (9999-12-31T23:59:59Z) are refused before any arithmetic on them.
inline constexpr int64_t kMaxNumericDate = 253402300799;

// dob_hmac = base64url(HMAC-SHA256(dob key, jti || 0x00 || "YYYY-MM-DD")), no padding.
std::string dobHmac(ByteView key, const std::string& jti, const std::string& dob);

struct VerifiedToken {
    std::string iss, sub, jti, room, name, kid, alg;  // name: never a patient's (refused in their tokens)
    Role role = Role::Patient;
    int64_t exp = 0, iat = 0, nbf = 0;
    std::vector<std::string> amr;
    FhirContext fhir;
};

class TokenVerifier {
public:
    TokenVerifier(TokenPolicy policy, std::shared_ptr<const KeyStore> keys);

    // Throws TokenError. On success the jti is spent (a second use is "replayed"), unless !check.spend.
    VerifiedToken verify(std::string_view token, const JoinCheck& check, int64_t nowS);
    // Signature only (benchmark baseline and fuzzing): parse + key + signature, no claims.
    bool verifySignatureOnly(std::string_view token) const;

    void setKeys(std::shared_ptr<const KeyStore> keys);
    std::shared_ptr<const KeyStore> keys() const;
    RevocationList& revocations() { return revocations_; }
    const ReplayCache& replay() const { return replay_; }
    const TokenPolicy& policy() const { return policy_; }

private:
    TokenPolicy policy_;
    mutable std::mutex keysMutex_;
    std::shared_ptr<const KeyStore> keys_;
    ReplayCache replay_;
    RevocationList revocations_;
};

}  // namespace hipaa::room
