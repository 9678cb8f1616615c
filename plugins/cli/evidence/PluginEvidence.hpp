// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Versions and config digests of the four plugins (their `info`), each digest the SHA-256 of the
// effective config as canonical JSON, the one the plugin records as `config.loaded` in the audit
// trail (compared with the newest such record when the audit database is given). A plugin that does
// not answer, or runs with general.development = true, fails the section.
#include "EvidenceSection.hpp"
#include "EvidenceSources.hpp"

namespace hipaa::cli {

class PluginEvidence {
public:
    static EvidenceSection collect(const EvidenceSources& src);
    // hex SHA-256 of the effective config as canonical JSON (ConfigTrail's digest).
    static std::string configDigest(const json_t* effectiveConfig);
};

}  // namespace hipaa::cli
