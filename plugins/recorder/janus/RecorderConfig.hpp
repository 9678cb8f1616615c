// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every key of janus.plugin.hipaa.recorder.jcfg, read and checked without creating a folder, opening a
// key file or a socket: RecorderPlugin reads it at init, `janus-hipaa check-config` offline (no Janus).
// The loaders open the key files with the secret-file rules, as init does.
#include "IngestServer.hpp"
#include "Keyring.hpp"
#include "RetentionPolicy.hpp"

#include "hipaa/ActorGate.hpp"
#include "hipaa/ClusterConfig.hpp"
#include "hipaa/Config.hpp"
#include "hipaa/Ed25519Signer.hpp"

#include <cstdint>
#include <string>

namespace hipaa::recorder {

struct RecorderConfig {
    std::string recordingsDir, exportDir, keyringFile, signingKeyFile, defaultPolicy;
    IngestSettings ingest;
    int64_t chunkBytes = 0, exportTtlMs = 0, sweepMs = 0;
    std::string copyConverter;  // patient_copy: janus-pp-rec (absolute path)
    int64_t copyTimeoutMs = 0;  // patient_copy: wall-clock limit of one conversion
    RetentionPolicies policies;
    ClusterConfig cluster;         // [cluster]: several instances on one shared recordings_dir
    std::string pseudonymKeyFile;  // general.pseudonym_key_file: the room's key ("" = none)
    ActorConfig actors;            // general.development and [actors]: who may ask what (ActorGate)

    // Reads every key, refuses unknown ones (Config::finish) and checks the values and how they fit
    // together (default_policy, the ingest range, export_dir apart from recordings_dir). Throws
    // ConfigError naming the key.
    static RecorderConfig read(Config& config);
    Keyring loadKeyring() const;
    Ed25519Signer loadSigner() const;
};

// general.export_dir when absent: "exports" next to the recordings folder (never inside it).
std::string defaultExportDir(const std::string& recordingsDir);
// Throws ConfigError naming general.export_dir when the two folders are the same or one lies inside
// the other (compared after resolving symlinks as far as the paths exist).
void refuseOverlap(const std::string& recordingsDir, const std::string& exportDir);

}  // namespace hipaa::recorder
