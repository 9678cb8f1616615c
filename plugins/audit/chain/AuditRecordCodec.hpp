// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// AuditRecord <-> JSON (spool frames, JSON-lines export, query answers). Hashes as hex, time in
// microseconds and as ISO 8601 UTC.
#include "AuditRecord.hpp"

#include "hipaa/Json.hpp"

namespace hipaa::audit {

class AuditRecordCodec {
public:
    static JsonPtr toJson(const AuditRecord& r);
    // Throws RequestError(kInvalidField) naming the field when something is missing or malformed.
    static AuditRecord fromJson(const json_t* j);
    static std::string isoTime(int64_t us);
};

}  // namespace hipaa::audit
