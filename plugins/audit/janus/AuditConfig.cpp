// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditConfig.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"

#include <unistd.h>

#include <chrono>

namespace hipaa::audit {
namespace {

std::string hostName() {
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "janus";
    return buf;
}

std::optional<PgConn::Options> databaseOptions(Config& c) {
    std::string conninfo = c.secret("database.conninfo", std::string());
    PgConn::Options o;
    o.connectTimeoutSeconds = static_cast<int>(c.integer("database.connect_timeout", 5, 1, 60));
    o.statementTimeoutMs = static_cast<int>(c.integer("database.statement_timeout_ms", 10000, 100, 600000));
    o.applicationName = "janus-hipaa-audit";
    if (conninfo.empty()) return std::nullopt;
    o.conninfo = conninfo;
    return o;
}

// Every value is read (and range-checked) before any file is opened, so a bad value is reported by
// its key name first.
AuditWriterOptions writerOptions(Config& c, const std::optional<PgConn::Options>& db, std::string& spoolKeyFile) {
    AuditWriterOptions o;
    o.instanceId = c.string("general.instance_id", hostName());
    if (o.instanceId.empty() || o.instanceId.size() > 64 || o.instanceId.find_first_of("/\\ \t\n") != std::string::npos)
        throw ConfigError("general.instance_id: 1 to 64 characters, no slashes or spaces");
    o.queueCapacity = static_cast<size_t>(c.integer("general.queue_capacity", 65536, 1024, int64_t{16} * 1024 * 1024));
    o.batchSize = static_cast<size_t>(c.integer("general.batch_size", 1000, 1, 10000));
    o.database = db;
    o.retryInterval = std::chrono::milliseconds(c.integer("database.retry_interval_ms", 1000, 50, 600000));
    o.checkpointEvery = c.integer("chain.checkpoint_every", 1000, 1, 100000000);
    o.checkpointInterval = std::chrono::seconds(c.integer("chain.checkpoint_interval", 60, 1, 86400));
    o.spoolDir = c.string("spool.dir", "/var/lib/janus-hipaa/audit");
    spoolKeyFile = c.secretPath("spool.key_file", "/etc/janus/hipaa/audit-spool.key");
    o.spoolMaxBytes = static_cast<uint64_t>(c.integer("spool.max_mb", 1024, 1, int64_t{1024} * 1024)) * 1024 * 1024;
    return o;
}

}  // namespace

bool AuditConfig::enabled(Config& config) { return config.boolean("general.enabled", true); }

AuditConfig AuditConfig::read(Config& config) {
    AuditConfig c;
    c.database = databaseOptions(config);
    c.writer = writerOptions(config, c.database, c.spoolKeyFile);
    c.policyFile = config.string("general.policy_file", "/etc/janus/janus.eventhandler.hipaa.audit.policy.jcfg");
    c.pseudonymKeyFile = config.secretPath("general.pseudonym_key_file", "/etc/janus/hipaa/pseudonym.key");
    c.signingKeyFile = config.secretPath("chain.signing_key_file", "/etc/janus/hipaa/audit-signing.key");
    c.trustedKeysFile = config.string("chain.trusted_keys_file", "");
    c.actors = ActorConfig::read(config, c.pseudonymKeyFile);
    config.finish();
    return c;
}

AuditPolicy AuditConfig::loadPolicy() const { return AuditPolicy::fromFile(policyFile); }

Pseudonymizer AuditConfig::loadPseudonymizer() const {
    return loadSecret("general.pseudonym_key_file", [&] { return Pseudonymizer::fromKeyFile(pseudonymKeyFile); });
}

Ed25519Signer AuditConfig::loadSigner() const {
    return loadSecret("chain.signing_key_file", [&] { return Ed25519Signer::fromKeyFile(signingKeyFile); });
}

AuditKeyRing AuditConfig::loadTrustedKeys() const {
    if (trustedKeysFile.empty()) return {};
    try {
        return AuditKeyRing::fromFile(trustedKeysFile);
    } catch (const Error& e) {
        throw ConfigError(std::string("chain.trusted_keys_file: ") + e.what());
    }
}

Bytes AuditConfig::loadSpoolKey() const {
    return loadSecret("spool.key_file", [&] { return readSecretKeyFile(spoolKeyFile, 32); });
}

}  // namespace hipaa::audit
