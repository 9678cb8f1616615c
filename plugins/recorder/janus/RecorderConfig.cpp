// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecorderConfig.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"

#include <algorithm>
#include <filesystem>

namespace hipaa::recorder {

std::string defaultExportDir(const std::string& recordingsDir) {
    std::filesystem::path r = std::filesystem::path(recordingsDir).lexically_normal();
    if (!r.has_filename()) r = r.parent_path();  // a trailing slash
    return (r.parent_path() / "exports").string();
}

void refuseOverlap(const std::string& recordingsDir, const std::string& exportDir) {
    auto resolve = [](const std::string& dir, std::error_code& ec) {
        std::filesystem::path p = std::filesystem::weakly_canonical(dir, ec);
        return p.has_filename() ? p : p.parent_path();  // no trailing slash
    };
    std::error_code ec1, ec2;
    std::filesystem::path r = resolve(recordingsDir, ec1), x = resolve(exportDir, ec2);
    if (ec1 || ec2) return;  // ensurePrivateDirectory reports what is wrong with them
    // `inside(a, b)`: a is b or lies below it, compared component by component.
    auto inside = [](const std::filesystem::path& a, const std::filesystem::path& b) {
        return std::mismatch(a.begin(), a.end(), b.begin(), b.end()).second == b.end();
    };
    if (inside(x, r) || inside(r, x))
        throw ConfigError("general.export_dir: must not be, contain or lie inside general.recordings_dir (" +
                          x.string() + " and " + r.string() + "): the export sweeper removes what it finds there");
}

RecorderConfig RecorderConfig::read(Config& config) {
    RecorderConfig c;
    c.recordingsDir = config.string("general.recordings_dir", "/var/lib/janus-hipaa/recordings");
    c.exportDir = config.string("general.export_dir", defaultExportDir(c.recordingsDir));
    // Defaults match the sample; the files are loaded (and their modes checked) only after every
    // key and folder was validated, so a typo is reported before a missing key file.
    c.keyringFile = config.secretPath("general.keyring", "/etc/janus/hipaa/recorder-keyring");
    c.signingKeyFile = config.secretPath("general.signing_key", "/etc/janus/hipaa/recorder-signing.key");
    c.ingest.address = config.string("general.rtp_address", "127.0.0.1");
    c.ingest.portMin = static_cast<int>(config.integer("general.rtp_port_min", 20000, 1024, 65535));
    c.ingest.portMax = static_cast<int>(config.integer("general.rtp_port_max", 20999, 1024, 65535));
    c.ingest.chunkMs = config.integer("general.chunk_ms", 1000, 10, 60000);
    c.chunkBytes = config.integer("general.chunk_bytes", 65536, 1024, 4 << 20);
    c.exportTtlMs = RetentionPolicy::parseDuration(config.string("general.export_ttl", "1h"), "general.export_ttl");
    c.sweepMs = config.integer("general.sweep_seconds", 60, 1, 86400) * 1000;
    c.defaultPolicy = config.string("general.default_policy", "standard");
    c.copyConverter = config.string("general.copy_converter", "/usr/bin/janus-pp-rec");
    if (c.copyConverter.empty() || c.copyConverter[0] != '/')
        throw ConfigError("general.copy_converter: must be an absolute path (no PATH search)");
    c.copyTimeoutMs = config.integer("general.copy_timeout_seconds", 600, 1, 86400) * 1000;
    if (const json_t* cat = config.category("policies")) {
        const char* name;
        json_t* value;
        json_object_foreach(const_cast<json_t*>(cat), name, value) {
            std::string key = std::string("policies.") + name;
            if (!json_is_string(value)) throw ConfigError(key + ": must be a duration string such as \"30d\"");
            // Read through the typed accessor so the policy is in the effective config: `info` shows it,
            // and a changed retention changes the config digest the audit trail records.
            c.policies[name] = RetentionPolicy{name, RetentionPolicy::parseDuration(config.string(key), key)};
        }
    }
    // Without a `policies` category: six years, the HIPAA retention period for documentation.
    if (c.policies.empty()) c.policies["standard"] = RetentionPolicy{"standard", 2190LL * 86'400'000};
    c.cluster = ClusterConfig::read(config, false);
    c.pseudonymKeyFile = config.secretPath("general.pseudonym_key_file", "");
    c.actors = ActorConfig::read(config, c.pseudonymKeyFile);
    config.finish();
    if (!c.policies.count(c.defaultPolicy)) throw ConfigError("general.default_policy: no such policy in `policies`");
    IngestServer::checkSettings(c.ingest);
    refuseOverlap(c.recordingsDir, c.exportDir);  // before either is created
    return c;
}

Keyring RecorderConfig::loadKeyring() const {
    return loadSecret("general.keyring", [&] { return Keyring::fromFile(keyringFile); });
}

Ed25519Signer RecorderConfig::loadSigner() const {
    return loadSecret("general.signing_key", [&] { return Ed25519Signer::fromKeyFile(signingKeyFile); });
}

}  // namespace hipaa::recorder
