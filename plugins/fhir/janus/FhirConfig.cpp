// SPDX-License-Identifier: GPL-3.0-or-later
#include "FhirConfig.hpp"

#include "BearerFileAuth.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"

#include <unistd.h>

#include <cctype>

namespace hipaa::fhir {
namespace {

std::string hostName() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "janus";
    return buf;
}

bool validFhirId(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (unsigned char c : s)
        if (!std::isalnum(c) && c != '-' && c != '.') return false;
    return true;
}

}  // namespace

bool FhirConfig::enabled(Config& config) { return config.boolean("general.enabled", true); }

FhirConfig FhirConfig::read(Config& config) {
    FhirConfig c;
    c.client.baseUrl = config.string("general.base_url");
    if (c.client.baseUrl.rfind("https://", 0) != 0) throw ConfigError("general.base_url: must start with https://");
    c.client.caBundle = config.string("general.ca_file", "");
    c.client.connectTimeoutMs = static_cast<long>(config.integer("general.connect_timeout_ms", 5000, 100, 60000));
    c.client.timeoutMs = static_cast<long>(config.integer("general.timeout_ms", 15000, 500, 300000));
    c.auth = config.string("general.auth", "bearer");
    if (c.auth == "bearer") {
        c.bearerTokenFile = config.secretPath("general.bearer_token_file");
    } else if (c.auth == "smart") {
        SmartBackendAuth::Options& o = c.smart.options;
        o.tokenUrl = config.string("general.smart_token_url");
        if (o.tokenUrl.rfind("https://", 0) != 0)
            throw ConfigError("general.smart_token_url: must start with https://");
        o.scope = config.string("general.smart_scope",
                                "system/Encounter.write system/DocumentReference.write system/Provenance.write");
        o.caBundle = c.client.caBundle;
        o.connectTimeoutMs = c.client.connectTimeoutMs;
        o.timeoutMs = c.client.timeoutMs;
        c.smart.keyFile = config.secretPath("general.smart_key_file");
        c.smart.alg = ClientAssertion::parseAlg(config.string("general.smart_alg", "ES384"));
        c.smart.kid = config.string("general.smart_kid");
        c.smart.clientId = config.string("general.smart_client_id");
    } else {
        throw ConfigError("general.auth: must be \"bearer\" or \"smart\"");
    }

    c.instance = config.string("general.instance_id", hostName());
    if (!validFhirId(c.instance)) throw ConfigError("general.instance_id: letters, digits, '-' and '.' only (max 64)");
    c.bundle.identifierSystem = config.string("general.identifier_system", "urn:janus-hipaa");
    if (c.bundle.identifierSystem.rfind("https://", 0) != 0 && c.bundle.identifierSystem.rfind("urn:", 0) != 0)
        throw ConfigError("general.identifier_system: must be an https:// URL or a urn:");
    c.bundle.instanceId = c.instance;
    c.bundle.transmitterReference = config.string("general.transmitter_reference", "");
    if (!c.bundle.transmitterReference.empty() && c.bundle.transmitterReference.rfind("Device/", 0) != 0 &&
        c.bundle.transmitterReference.rfind("Organization/", 0) != 0)
        throw ConfigError("general.transmitter_reference: must be Device/<id> or Organization/<id>");
    c.bundle.defaultLoinc = config.string("general.default_loinc", "11506-3");
    std::string chatAs = config.string("general.chat_as", "communication");
    if (chatAs == "communication")
        c.bundle.chatAs = BundleOptions::ChatAs::Communication;
    else if (chatAs == "transcript")
        c.bundle.chatAs = BundleOptions::ChatAs::Transcript;
    else
        throw ConfigError("general.chat_as: must be \"communication\" or \"transcript\"");
    c.stateDir = config.string("general.state_dir", "/var/lib/janus-hipaa/fhir");
    if (c.stateDir.empty() || c.stateDir[0] != '/') throw ConfigError("general.state_dir: an absolute path");

    c.outbox = {config.secret("outbox.conninfo"), c.instance, 5,
                static_cast<int>(config.integer("outbox.statement_timeout_ms", 10000, 100, 600000))};
    c.outboxKeyFile = config.secretPath("outbox.key_file");
    c.workers = static_cast<int>(config.integer("outbox.workers", 2, 1, 16));
    OutboxWorker::Options& w = c.worker;
    c.maxBundleBytes = static_cast<size_t>(config.integer("outbox.max_bundle_mib", 64, 1, 1024)) << 20;
    w.batch = static_cast<int>(config.integer("outbox.batch", 16, 1, 1000));
    w.maxAttempts = static_cast<int>(config.integer("outbox.max_attempts", 8, 1, 1000));
    w.backoffInitialMs = config.integer("outbox.backoff_initial_ms", 1000, 10, 3600000);
    w.backoffMaxMs = config.integer("outbox.backoff_max_ms", 300000, 10, 86400000);
    if (w.backoffMaxMs < w.backoffInitialMs)
        throw ConfigError("outbox.backoff_max_ms: must not be below outbox.backoff_initial_ms");
    w.leaseSeconds = static_cast<int>(config.integer("outbox.lease_seconds", 120, 5, 3600));
    w.pollIntervalMs = static_cast<int>(config.integer("outbox.poll_interval_ms", 1000, 10, 60000));
    if (w.leaseSeconds * 1000L <= c.client.timeoutMs * 2)
        throw ConfigError("outbox.lease_seconds: must exceed twice general.timeout_ms");
    c.actors = ActorConfig::read(config, config.secretPath("general.pseudonym_key_file", ""));
    config.finish();
    return c;
}

void FhirConfig::checkCaFile() const {
    if (!client.caBundle.empty() && ::access(client.caBundle.c_str(), R_OK) != 0)
        throw ConfigError("general.ca_file: cannot read " + client.caBundle);
}

std::shared_ptr<const OutboxCipher> FhirConfig::loadCipher() const {
    return loadSecret("outbox.key_file", [&] { return std::make_shared<const OutboxCipher>(outboxKeyFile); });
}

std::unique_ptr<FhirAuth> FhirConfig::makeAuth() const {
    if (auth == "bearer")
        return loadSecret("general.bearer_token_file",
                          [&] { return std::make_unique<BearerFileAuth>(bearerTokenFile); });
    ClientAssertion assertion = loadSecret("general.smart_key_file", [&] {
        return ClientAssertion(smart.keyFile, smart.alg, smart.kid, smart.clientId, smart.options.tokenUrl);
    });
    return std::make_unique<SmartBackendAuth>(std::move(assertion), smart.options);
}

}  // namespace hipaa::fhir
