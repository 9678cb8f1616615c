// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An Ed25519-signed chain head (sql: audit_checkpoint). The signature covers
// AuditChain::checkpointMessage(instance, seq, head hash, signed_at).
#include "hipaa/Hash.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace hipaa::audit {

struct AuditCheckpoint {
    std::string instanceId;
    int64_t seq = 0;
    Digest256 headHash{};
    int64_t signedAtUs = 0;
    std::string keyId;
    std::array<uint8_t, 64> signature{};
};

}  // namespace hipaa::audit
