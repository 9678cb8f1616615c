// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The door of every Admin API request that reads or changes PHI, keys, retention or holds. A plugin
// asks admit() with the request and its action (AccessRules), narrows the answer to what the actor's
// access allows (Own, Metadata), then calls allow() or refuse() with the object: each writes the
// access to the audit trail first (AuditTrail), so nothing is read unrecorded and refusals are on
// the record too.
//
// Configuration (each plugin's jcfg): `actors` (issuers, audience, pem_files, jwks_file, skew,
// max_lifetime, mfa_methods) and `general.pseudonym_key_file` (the room's and the audit handler's
// key, so an actor's pseudonym is the one the room recorded for the same person). Without actor keys
// every gated request is refused (360), unless `general.development` is true: then the admin secret
// alone is enough (recorded as actor `admin_secret`), for local development only.
#include "hipaa/AccessRules.hpp"
#include "hipaa/ActorVerifier.hpp"
#include "hipaa/AuditTrail.hpp"
#include "hipaa/Config.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hipaa {

struct ActorConfig {
    bool development = false;
    ActorPolicy policy;
    KeySources keys;
    std::string pseudonymKeyFile;  // general.pseudonym_key_file (may be read by the plugin itself too)

    bool configured() const { return !keys.pemFiles.empty() || !keys.jwksFile.empty(); }
    // Reads general.development and actors.*; `pseudonymKeyFile` is the value of
    // general.pseudonym_key_file the plugin read (required once actor keys are configured).
    static ActorConfig read(Config& config, std::string pseudonymKeyFile);
    // nullptr when !configured(). Throws ConfigError naming the key (mode 0600 files, the development
    // key outside development, ...).
    std::shared_ptr<ActorVerifier> loadVerifier() const;
};

struct ActorDecision {
    std::string action;
    std::string pseudonym;               // "admin_secret" when development let the secret alone in
    std::string role;                    // actorRoleName, or "development"
    std::optional<ActorRole> actorRole;  // empty for admin_secret
    Access access = Access::None;
    // Does this actor own the object (took part in the visit with the role the rule means)?
    bool owns(const std::vector<std::string>& providers, const std::vector<std::string>& patients) const;
};

class ActorGate {
public:
    // `verifier` may be null (no actor keys): every gated request is refused unless `development`.
    ActorGate(std::string plugin, bool development, std::shared_ptr<ActorVerifier> verifier,
              std::function<int64_t()> nowS = {});

    // Verifies request.actor_token for `action`. A missing or refused token, or a role the table
    // gives no access, is recorded as a refusal (with the actor's pseudonym once the token is
    // authentic) and thrown as RequestError 360-367. `object` describes what was asked (PHI-free).
    ActorDecision admit(const json_t* request, const std::string& action, const JsonPtr& object);
    // Records the allowed access; RequestError 368 (nothing may be read) when the trail cannot take it.
    void allow(const ActorDecision& decision, const JsonPtr& object) const;
    // Records the refusal and throws RequestError 367 with `message`.
    [[noreturn]] void refuse(const ActorDecision& decision, const JsonPtr& object, const std::string& reason,
                             const std::string& message) const;

    bool development() const { return development_; }
    bool configured() const { return verifier_ != nullptr; }
    const Pseudonymizer* pseudonyms() const { return verifier_ ? &verifier_->pseudonyms() : nullptr; }

private:
    void write(const std::string& action, const std::string& pseudonym, const std::string& role, bool allowed,
               const std::string& reason, const JsonPtr& object) const;

    std::string plugin_;
    bool development_;
    std::shared_ptr<ActorVerifier> verifier_;
    std::function<int64_t()> now_;
};

}  // namespace hipaa
