// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The PostgreSQL side of the trail: batches of records and checkpoints in one transaction (COPY into
// a temporary staging table, then INSERT ... ON CONFLICT DO NOTHING, so a replayed spool never
// duplicates a row), the chain head, partitions ahead of time. Throws DbError; messages can quote
// values, which are scrubbed already.
#include "AuditCheckpoint.hpp"
#include "AuditRecord.hpp"

#include "hipaa/PgConn.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hipaa::audit {

class AuditStore {
public:
    explicit AuditStore(PgConn conn) : conn_(std::move(conn)) {}
    static AuditStore connect(const PgConn::Options& options) { return AuditStore(PgConn::connect(options)); }

    // Newest (seq, hash) of the instance's chain, nullopt for an empty chain.
    std::optional<std::pair<int64_t, Digest256>> head(const std::string& instanceId);
    // Creates the month partitions of `us` and of the month after (idempotent).
    void ensurePartitions(int64_t us);
    // One transaction; returns the number of rows newly inserted. `idempotent` (spool replay): COPY
    // into a staging table and INSERT ... ON CONFLICT DO NOTHING, so rows already there are skipped;
    // otherwise a direct COPY into audit_record (rows never written before).
    long long write(const std::vector<AuditRecord>& records, const std::vector<AuditCheckpoint>& checkpoints,
                    bool idempotent = false);
    // write() in steps, for a caller that overlaps one connection's load with another's commit:
    // begin(), load() (may run on another thread), then commit() or rollback().
    void begin();
    long long load(const std::vector<AuditRecord>& records, const std::vector<AuditCheckpoint>& checkpoints,
                   bool idempotent = false);
    void commit();
    void rollback() noexcept;  // PgConn::rollback()
    bool ok() const { return conn_.ok(); }
    PgConn& conn() { return conn_; }

private:
    PgConn conn_;
    bool staged_ = false;
    std::string copyBuf_;
};

}  // namespace hipaa::audit
