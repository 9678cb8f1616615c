// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/ActorGate.hpp"

#include "hipaa/Clock.hpp"
#include "hipaa/SecretFile.hpp"

#include <algorithm>

namespace hipaa {

ActorConfig ActorConfig::read(Config& config, std::string pseudonymKeyFile) {
    ActorConfig c;
    c.development = config.boolean("general.development", false);
    std::vector<std::string> issuers = config.stringList("actors.issuers", {});
    c.policy.issuers = std::set<std::string>(issuers.begin(), issuers.end());
    c.policy.audience = config.string("actors.audience", "");
    c.policy.skewS = config.integer("actors.skew", 30, 0, 60);
    c.policy.maxLifetimeS = config.integer("actors.max_lifetime", 300, 10, 3600);
    c.policy.mfaMethods = config.stringList("actors.mfa_methods", c.policy.mfaMethods);
    c.keys.pemFiles = config.stringList("actors.pem_files", {});
    c.keys.jwksFile = config.secretPath("actors.jwks_file", "");
    c.pseudonymKeyFile = std::move(pseudonymKeyFile);
    if (c.configured()) {
        if (c.policy.issuers.empty()) throw ConfigError("actors.issuers: required with actor keys");
        if (c.policy.audience.empty()) throw ConfigError("actors.audience: required with actor keys");
        if (c.pseudonymKeyFile.empty())
            throw ConfigError("general.pseudonym_key_file: required with actor keys (the room's pseudonym key)");
    }
    return c;
}

std::shared_ptr<ActorVerifier> ActorConfig::loadVerifier() const {
    if (!configured()) return nullptr;
    std::shared_ptr<const KeyStore> store;
    try {
        store = KeyStore::load(keys);
    } catch (const Error& e) {
        throw ConfigError(std::string("actors: ") + e.what());
    }
    if (store->hasDevelopmentKey() && !development)
        throw ConfigError("actors: the development key is configured but general.development is false");
    Pseudonymizer pseudonyms =
        loadSecret("general.pseudonym_key_file", [&] { return Pseudonymizer::fromKeyFile(pseudonymKeyFile); });
    return std::make_shared<ActorVerifier>(policy, std::move(store), std::move(pseudonyms));
}

bool ActorDecision::owns(const std::vector<std::string>& providers, const std::vector<std::string>& patients) const {
    if (!actorRole) return access == Access::Any;
    auto in = [&](const std::vector<std::string>& list) {
        return std::find(list.begin(), list.end(), pseudonym) != list.end();
    };
    if (*actorRole == ActorRole::Provider) return in(providers);
    if (*actorRole == ActorRole::Patient) return in(patients);
    return false;
}

ActorGate::ActorGate(std::string plugin, bool development, std::shared_ptr<ActorVerifier> verifier,
                     std::function<int64_t()> nowS)
    : plugin_(std::move(plugin)),
      development_(development),
      verifier_(std::move(verifier)),
      now_(nowS ? std::move(nowS) : [] { return Clock::wallMs() / 1000; }) {}

void ActorGate::write(const std::string& action, const std::string& pseudonym, const std::string& role, bool allowed,
                      const std::string& reason, const JsonPtr& object) const {
    AccessRecord r;
    r.plugin = plugin_;
    r.action = action;
    r.actor = pseudonym;
    r.role = role;
    r.allowed = allowed;
    r.reason = reason;
    if (object) r.object = jsonRetain(object.get());
    if (!AuditTrail::record(r) && allowed)
        throw RequestError(errc::kAccessNotRecorded,
                           "the access could not be written to the audit trail (audit handler not loaded or full)");
}

ActorDecision ActorGate::admit(const json_t* request, const std::string& action, const JsonPtr& object) {
    ActorDecision d;
    d.action = action;
    const json_t* token = json_object_get(request, "actor_token");
    if (!token) {
        if (development_) {
            d.pseudonym = "admin_secret";
            d.role = "development";
            d.access = Access::Any;
            return d;
        }
        write(action, "", "", false, "actor_token_missing", object);
        throw RequestError(errc::kActorTokenMissing,
                           verifier_ ? "this request needs actor_token (the person and role asking)"
                                     : "this request needs actor_token, and no actor token keys are configured "
                                       "(actors.pem_files or actors.jwks_file)");
    }
    if (!json_is_string(token)) {
        write(action, "", "", false, "malformed_token", object);
        throw RequestError(errc::kActorTokenInvalid, "actor_token must be a string (a compact JWS)");
    }
    if (!verifier_) {
        write(action, "", "", false, "not_configured", object);
        throw RequestError(errc::kActorTokenMissing,
                           "no actor token keys are configured (actors.pem_files or actors.jwks_file)");
    }
    Actor a;
    try {
        a = verifier_->verify(json_string_value(token), now_());
    } catch (const ActorError& e) {
        write(action, e.pseudonym, e.role, false, e.reason(), object);
        throw RequestError(e.code(), e.what());
    }
    d.pseudonym = a.pseudonym;
    d.actorRole = a.role;
    d.role = actorRoleName(a.role);
    d.access = accessFor(a.role, action);
    if (d.access == Access::None) refuse(d, object, "role_forbidden", "the role " + d.role + " may not " + action);
    return d;
}

void ActorGate::allow(const ActorDecision& d, const JsonPtr& object) const {
    write(d.action, d.pseudonym, d.role, true, "", object);
}

void ActorGate::refuse(const ActorDecision& d, const JsonPtr& object, const std::string& reason,
                       const std::string& message) const {
    write(d.action, d.pseudonym, d.role, false, reason, object);
    throw RequestError(errc::kActorForbidden, message);
}

}  // namespace hipaa
