// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading audit_record rows back (query, export, verify): one column list and one decoder, so the
// reader and the verifier can never disagree on what a column means.
#include "AuditRecord.hpp"
#include "AuditRecordFields.hpp"

#include "hipaa/PgConn.hpp"

namespace hipaa::audit {

class AuditRecordRow {
public:
    // "SELECT <16 columns> FROM audit_record ": the AuditRecordFields columns that decodeColumns()
    // reads (event_time in microseconds), then event::text, prev_hash hex, hash hex.
    static const std::string& select();
    static constexpr int kEventColumn = AuditRecordFields::kCount, kPrevHashColumn = kEventColumn + 1,
                         kHashColumn = kEventColumn + 2;

    // The AuditRecordFields columns of `row`; leaves event and the hashes to the caller (the verifier reports a
    // malformed one as a finding, the query as an error). Throws std::invalid_argument on a
    // non-numeric number column (only a tampered table has one).
    static AuditRecord decodeColumns(const PgResult& r, int row);
};

}  // namespace hipaa::audit
