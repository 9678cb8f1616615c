// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The newest signed checkpoint an auditor has verified, kept outside the database (audit-verify
// --checkpoint-file): the next run requires the chain to reach it with the same head, so a trail cut
// short by the database superuser (records and the checkpoints after the cut deleted together) is
// reported. One JSON object; it holds only public data (seq, hashes, the signature).
#include "AuditCheckpoint.hpp"

#include "hipaa/Ed25519Verifier.hpp"

#include <optional>
#include <string>

namespace hipaa::audit {

class AuditCheckpointFile {
public:
    // nullopt when `path` does not exist. Throws std::runtime_error when it is malformed, belongs to
    // another instance or its signature does not verify with `key`.
    static std::optional<AuditCheckpoint> read(const std::string& path, const std::string& instanceId,
                                               const Ed25519Verifier& key);
    // Replaces the file atomically (temporary file, fsync, rename, fsync of the folder); throws on error.
    static void write(const std::string& path, const AuditCheckpoint& cp);
};

}  // namespace hipaa::audit
