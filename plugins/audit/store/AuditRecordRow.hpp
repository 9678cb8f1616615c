#pragma once
// Reading audit_record rows back (query, export, verify): one column list and one decoder, so the
// reader and the verifier can never disagree on what a column means.
#include "AuditRecord.hpp"

#include "hipaa/PgConn.hpp"

namespace hipaa::audit {

class AuditRecordRow {
public:
    // "SELECT <16 columns> FROM audit_record " : the 13 columns that decodeColumns() reads, then
    // event::text (13), prev_hash hex (14), hash hex (15).
    static const char* const kSelect;
    static constexpr int kEventColumn = 13, kPrevHashColumn = 14, kHashColumn = 15;

    // Columns 0..12 of `row`; leaves event and the hashes to the caller (the verifier reports a
    // malformed one as a finding, the query as an error). Throws std::invalid_argument on a
    // non-numeric number column (only a tampered table has one).
    static AuditRecord decodeColumns(const PgResult& r, int row);
};

}  // namespace hipaa::audit
