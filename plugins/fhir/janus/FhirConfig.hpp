// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every key of janus.eventhandler.hipaa.fhir.jcfg, read and checked without connecting anywhere or
// opening a file: FhirHandler reads it at init, `janus-hipaa check-config` offline (no Janus). The
// loaders open the CA file, the outbox key and the EHR credentials (secret-file rules), as init does.
#include "BundleBuilder.hpp"
#include "ClientAssertion.hpp"
#include "FhirAuth.hpp"
#include "FhirClient.hpp"
#include "Outbox.hpp"
#include "OutboxCipher.hpp"
#include "OutboxWorker.hpp"
#include "SmartBackendAuth.hpp"

#include "hipaa/ActorGate.hpp"
#include "hipaa/Config.hpp"

#include <memory>
#include <string>

namespace hipaa::fhir {

struct FhirConfig {
    std::string auth;  // "bearer" | "smart"
    std::string instance, outboxKeyFile, bearerTokenFile;
    std::string stateDir;  // general.state_dir: the handler's private files (the config trail's state)
    FhirClient::Options client;
    BundleOptions bundle;
    Outbox::Options outbox;
    OutboxWorker::Options worker;
    int workers = 2;
    size_t maxBundleBytes = size_t{64} << 20;  // outbox.max_bundle_mib: a bundle larger is dead-lettered
    struct Smart {
        SmartBackendAuth::Options options;
        std::string keyFile, kid, clientId;
        ClientAssertion::Alg alg{};
    } smart;             // auth = "smart" only
    ActorConfig actors;  // who may list, export and retry bundles (actor tokens)

    // `general.enabled` (default true): false loads nothing else.
    static bool enabled(Config& config);
    // Reads every key, refuses unknown ones (Config::finish) and checks the values and how they fit
    // together. Throws ConfigError naming the key.
    static FhirConfig read(Config& config);
    // general.ca_file must be readable when set.
    void checkCaFile() const;
    std::shared_ptr<const OutboxCipher> loadCipher() const;
    // A new credential from its key or token file (one per worker).
    std::unique_ptr<FhirAuth> makeAuth() const;
};

}  // namespace hipaa::fhir
