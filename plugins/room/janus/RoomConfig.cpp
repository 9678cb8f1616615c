// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomConfig.hpp"

#include "RoomState.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"

#include <set>

namespace hipaa::room {

RoomConfig RoomConfig::read(Config& config) {
    RoomConfig c;
    c.name = config.name();
    c.development = config.boolean("general.development", false);
    // Pseudonyms are how events name people: without the key there is no PHI-free event, so no room.
    c.pseudonymKeyFile = config.secretPath("general.pseudonym_key_file");
    if (c.pseudonymKeyFile.empty()) throw ConfigError(c.name + ": general.pseudonym_key_file: required");

    std::vector<std::string> issuers = config.stringList("tokens.issuers", {});
    c.tokens.issuers = std::set<std::string>(issuers.begin(), issuers.end());
    if (c.tokens.issuers.empty()) throw ConfigError(c.name + ": tokens.issuers: required (list of accepted iss)");
    c.tokens.audience = config.string("tokens.audience");
    if (c.tokens.audience.empty()) throw ConfigError(c.name + ": tokens.audience: required");
    c.tokens.skewS = config.integer("tokens.skew", 30, 0, 60);
    c.tokens.maxLifetimeS = config.integer("tokens.max_lifetime", 3600, 60, int64_t{7} * 24 * 3600);
    c.tokens.maxSize = static_cast<size_t>(config.integer("tokens.max_size", 8192, 1024, 8192));
    c.tokens.mfaMethods = config.stringList("tokens.mfa_methods", c.tokens.mfaMethods);

    c.keySources.pemFiles = config.stringList("keys.pem_files", {});
    c.keySources.jwksFile = config.secretPath("keys.jwks_file", "");
    c.keySources.hmacFiles = config.stringList("keys.hs256_files", {});
    c.keySources.dobKeyFile = config.secretPath("keys.dob_key_file", "");

    // Data channel messages relayed per participant (a token bucket on the media thread).
    c.chat = {config.integer("chat.rate", 20, 1, 1000), config.integer("chat.burst", 60, 1, 10000)};

    c.settings.lockoutFailures = static_cast<int>(config.integer("lockout.failures", 5, 0, 10000));
    c.settings.sessionFailures = static_cast<int>(config.integer("lockout.session_failures", 10, 0, 10000));
    c.settings.lockoutWindowS = config.integer("lockout.window", 300, 1, 86400);
    c.settings.lockoutS = config.integer("lockout.duration", 300, 1, 86400);
    c.requireAudit = config.boolean("general.require_audit", true);
    c.stateDir = config.string("general.state_dir", "/var/lib/janus-hipaa/room");
    if (c.stateDir.empty() || c.stateDir[0] != '/') throw ConfigError(c.name + ": general.state_dir: an absolute path");
    for (const auto& cat : config.categories()) {
        if (cat.rfind("class-", 0) == 0) {
            std::string cls = cat.substr(6);
            c.settings.classes[cls] = RoomClass::fromConfig(config, cls);
        }
    }
    for (const auto& cat : config.categories()) {
        if (cat.rfind("room-", 0) == 0) {
            std::string cls = config.string(cat + ".class", "default");
            std::string desc = config.secret(cat + ".description", "");  // PHI: shown redacted
            c.rooms.push_back({cat.substr(5), cls, desc});
        }
    }
    c.cluster = ClusterConfig::read(config, true);
    c.deadAfterS = config.integer("cluster.dead_after", 15, 3, 3600);
    config.finish();  // first: a typo in a key name is the most useful error to report

    const KeySources& ks = c.keySources;
    if (ks.pemFiles.empty() && ks.jwksFile.empty() && ks.hmacFiles.empty())
        throw ConfigError(c.name + ": keys: no token verification key configured");
    for (const auto& [n, cls] : c.settings.classes)
        if (cls.dobCheck && ks.dobKeyFile.empty())
            throw ConfigError(c.name + ": class-" + n + ": dob_check needs keys.dob_key_file");
    // What RoomState::createRoom refuses at init, found without creating anything.
    for (const auto& r : c.rooms) {
        if (!RoomState::validRoomId(r.id))
            throw ConfigError(c.name + ": room-" + r.id + ": the room id must be 1 to 64 of [A-Za-z0-9_-]");
        if (!c.settings.classes.contains(r.className))
            throw ConfigError(c.name + ": room-" + r.id + ".class: no such room class");
    }
    return c;
}

RoomConfig::Keys RoomConfig::loadKeys() const {
    Pseudonymizer pseudonyms =
        loadSecret("general.pseudonym_key_file", [&] { return Pseudonymizer::fromKeyFile(pseudonymKeyFile); });
    std::shared_ptr<const KeyStore> store = KeyStore::load(keySources);
    if (store->empty()) throw ConfigError(name + ": keys: no token verification key configured");
    if (store->hasDevelopmentKey() && !development)
        throw ConfigError(name + ": keys: the development key is configured but general.development is false");
    for (const auto& [n, cls] : settings.classes)
        if (cls.dobCheck && store->dobKey().empty())
            throw ConfigError(name + ": class-" + n + ": dob_check needs keys.dob_key_file");
    return {std::move(pseudonyms), std::move(store)};
}

}  // namespace hipaa::room
