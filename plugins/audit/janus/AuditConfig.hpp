// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every key of janus.eventhandler.hipaa.audit.jcfg, read and checked without connecting to PostgreSQL
// or opening a file: AuditHandler reads it at init, `janus-hipaa check-config` offline (no Janus). The
// loaders open the policy and the key files (the keys with the secret-file rules), as init does.
#include "AuditKeyRing.hpp"
#include "AuditPolicy.hpp"
#include "AuditWriter.hpp"

#include "hipaa/ActorGate.hpp"
#include "hipaa/Config.hpp"
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/PgConn.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <optional>
#include <string>

namespace hipaa::audit {

struct AuditConfig {
    std::optional<PgConn::Options> database;  // none: spool only (development)
    AuditWriterOptions writer;                // all but the spool key (loadSpoolKey)
    std::string policyFile, pseudonymKeyFile, signingKeyFile, spoolKeyFile;
    std::string trustedKeysFile;  // chain.trusted_keys_file; empty: only our own key is trusted
    ActorConfig actors;           // who may query, export and look up pseudonyms (actor tokens)

    // `general.enabled` (default true): false loads nothing else.
    static bool enabled(Config& config);
    // Reads every key, refuses unknown ones (Config::finish) and checks the values. Throws ConfigError
    // naming the key.
    static AuditConfig read(Config& config);
    AuditPolicy loadPolicy() const;
    Pseudonymizer loadPseudonymizer() const;
    Ed25519Signer loadSigner() const;
    Bytes loadSpoolKey() const;
    AuditKeyRing loadTrustedKeys() const;  // empty without chain.trusted_keys_file
};

}  // namespace hipaa::audit
