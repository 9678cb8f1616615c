// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The config change trail: at init each plugin records its effective config's digest and which keys
// changed since its previous start (action `config.loaded`, AuditTrail::recordWhenLoaded). Key NAMES
// only, never values: a changed key file path or an inline secret shows as a changed key.
//
// The state file (in the plugin's private directory, mode 0600) keeps the previous start's digest and
// one HMAC-SHA256 per key under a random salt kept in the same file, so the file alone does not give
// the values away by a dictionary of plain hashes. A state file group or others can write (or another
// user owns, or a symlink) is not trusted: compared with nothing, then replaced. One that cannot be
// written does not stop the plugin: the record says the previous digest is unknown.
#include "hipaa/Config.hpp"
#include "hipaa/Logger.hpp"

#include <string>
#include <vector>

namespace hipaa {

class ConfigTrail {
public:
    // What the previous state was: "new" (none), "ok", "untrusted" (unsafe or unreadable file),
    // "unwritable" (the new state could not be written: previous digest unknown).
    struct Diff {
        std::string digest;                                // hex SHA-256 of the effective config as canonical JSON
        std::string previousDigest;                        // empty: unknown
        std::vector<std::string> changed, added, removed;  // "category.key", sorted
        std::string state;
        std::string warning;  // why the state was not used or not written (no values); empty when fine
    };

    // Compares `config` (every key read) with `stateFile` and writes the new state atomically.
    static Diff update(const Config& config, const std::string& stateFile);
    // {digest, previous_digest (null when unknown), changed, added, removed, state}
    static JsonPtr object(const Diff& diff);
    // update(), then the `config.loaded` record of `plugin` (kept until the audit handler loads) and a
    // warning in `log` when the state could not be used or written.
    static void record(const std::string& plugin, const Config& config, const std::string& stateFile,
                       const Logger& log);
};

}  // namespace hipaa
