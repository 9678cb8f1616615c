// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading the trail back for `query` and `export`: filters, keyset pagination by seq, and the FHIR R4
// AuditEvent form (IHE Basic Audit Log Patterns).
#include "AuditRecord.hpp"

#include "hipaa/Json.hpp"
#include "hipaa/PgConn.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hipaa::audit {

class AuditQuery {
public:
    struct Filter {
        std::string instanceId;
        std::optional<std::string> room, actor, action, fromTime, toTime;  // times: ISO 8601
        int64_t afterSeq = 0;
        int limit = 100;
    };
    // Reads a filter from a request (throws RequestError 401 for bad values). `pseudonym` is the
    // already computed actor for {"pseudonym": {"iss","sub"}}.
    static Filter parse(const json_t* request, const std::string& instanceId);
    static std::vector<AuditRecord> run(PgConn& conn, const Filter& f);
    // The filter as stored in the trail's own `audit.query` record (contains no iss/sub).
    static JsonPtr describe(const Filter& f);
    // FHIR R4 AuditEvent (BALP-style): type, subtype, action, recorded, outcome, agent, source, entity.
    static JsonPtr fhirAuditEvent(const AuditRecord& r);
};

}  // namespace hipaa::audit
