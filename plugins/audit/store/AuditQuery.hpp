// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading the trail back for `query` and `export`: filters, keyset pagination (by seq within one
// instance, by (event_time, instance_id, seq) across all of them), and the FHIR R4 AuditEvent form
// (IHE Basic Audit Log Patterns).
#include "AuditRecord.hpp"

#include "hipaa/AuditTrail.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/PgConn.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hipaa::audit {

class AuditQuery {
public:
    // Where the previous page of a query across instances ended. As text (`cursor`, `next_cursor`):
    // "c1:<event_time µs>:<seq>:<instance_id>", opaque to clients.
    struct Cursor {
        int64_t eventTimeUs = 0, seq = 0;
        std::string instanceId;
        std::string text() const;
        static Cursor after(const AuditRecord& last);
        static std::optional<Cursor> parse(std::string_view text);
    };
    struct Filter {
        std::optional<std::string> instanceId;  // none: every instance, ordered by (event_time, instance_id, seq)
        std::optional<std::string> room, actor, action, fromTime, toTime;  // times: ISO 8601
        int64_t afterSeq = 0;          // with instanceId only (its records are ordered by seq)
        std::optional<Cursor> cursor;  // without instanceId only
        int limit = 100;
    };
    // Reads a filter from a request (throws RequestError 401 for bad values). `pseudonym` is the
    // already computed actor for {"pseudonym": {"iss","sub"}}.
    static Filter parse(const json_t* request);
    static std::vector<AuditRecord> run(PgConn& conn, const Filter& f);
    // The filter as stored in the trail's own `audit.query` record (contains no iss/sub).
    static JsonPtr describe(const Filter& f);
    // FHIR R4 AuditEvent (BALP-style): type, subtype, action, recorded, outcome, agent, source, entity.
    static JsonPtr fhirAuditEvent(const AuditRecord& r);
    // Access records (other plugins' AccessRecords) whose object names one of `recordings`, across
    // every instance, oldest first, at most `limit`: the accounting of disclosures of a patient copy.
    static std::vector<Disclosure> disclosures(PgConn& conn, const std::vector<std::string>& recordings, size_t limit);
};

}  // namespace hipaa::audit
