// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One row of the audit trail (sql/100_audit_trail.sql: audit_record), already scrubbed.
#include "hipaa/Hash.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace hipaa::audit {

struct AuditRecord {
    std::string instanceId;
    int64_t seq = 0;
    int64_t eventTimeUs = 0;  // microseconds since the epoch (Janus' event timestamp)
    int64_t janusType = 0;    // 0: the handler's own records (queries, exports, alerts)
    std::optional<int64_t> subtype;
    std::optional<std::string> emitter, plugin;
    std::optional<int64_t> sessionId, handleId;
    std::optional<std::string> room, actor;
    std::string action, outcome;
    std::string event;  // the scrubbed event, canonical JSON (compact, keys sorted)
    Digest256 prevHash{}, hash{};
};

}  // namespace hipaa::audit
