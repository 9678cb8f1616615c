// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The counts the evidence report reads from the audit database (libpq, read-only statements). Any
// role that may SELECT audit_record and audit_checkpoint will do (docs/audit.md, "Database roles"):
// the audit handler's login, or a read-only role the clinic grants. Only actions, outcomes, reason
// slugs, error codes, counts and times are read: never actors, rooms or event contents.
#include "hipaa/PgConn.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hipaa::cli {

class AuditDatabase {
public:
    struct Count {
        std::string label;
        int64_t n = 0;
    };
    struct Checkpoint {
        int64_t seq = 0;
        std::string signedAt;  // ISO 8601, UTC
    };

    // Connects now; throws DbError (its SQLSTATE, no conninfo in the message).
    explicit AuditDatabase(const std::string& conninfo);

    // plugin package -> the digest of its newest config.loaded record written by `instance`.
    std::map<std::string, std::string> configDigests(const std::string& instance = "");
    // Failed or refused accesses (outcome failure|refused) per UTC day of the last `days` days.
    std::vector<Count> refusalsPerDay(int days);
    // The same by "action / reason" (reason slug or error code), most frequent first.
    std::vector<Count> refusalsByReason(int days);
    // Lockout events (room lockouts) of the last `days` days by scope.
    std::vector<Count> lockouts(int days);
    // Per UTC day: the largest delay in seconds between an event and its row reaching the database.
    std::vector<Count> lagPerDay(int days);
    // instance -> its newest checkpoint.
    std::map<std::string, Checkpoint> lastCheckpoints();

private:
    std::vector<Count> counts(const std::string& sql, int days);
    PgConn conn_;
};

}  // namespace hipaa::cli
