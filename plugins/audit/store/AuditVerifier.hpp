// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Recomputes the chain over a range of one instance's records and checks the checkpoints' Ed25519
// signatures, with nothing but the rows and the public keys (the handler's `verify` and the
// stand-alone audit-verify tool both use it).
#include "AuditCheckpoint.hpp"
#include "AuditKeyRing.hpp"

#include "hipaa/Ed25519Verifier.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/PgConn.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hipaa::audit {

class AuditVerifier {
public:
    // A head of the chain known from outside the database (a signed checkpoint an auditor kept, the
    // handler's head file): the chain must reach `seq`, and its record `seq` must hash to `hash`.
    // Only the database superuser can delete records; this is how a trail cut short is noticed even
    // when the checkpoints after the cut were deleted with it.
    struct KnownHead {
        int64_t seq = 0;
        Digest256 hash{};
        std::string source;  // names it in the reason: "the last signed checkpoint seen", "the head file"
    };

    struct Result {
        bool ok = true;
        int64_t recordsChecked = 0, checkpointsChecked = 0, lastSeq = 0;
        std::optional<int64_t> firstBrokenSeq;  // the first record that does not verify
        std::string reason;                     // why (no values)
        // The newest checkpoint in the range whose signature verified and whose head is a verified record.
        std::optional<AuditCheckpoint> newestCheckpoint;
        JsonPtr toJson() const;
    };

    // A known head before fromSeq is not checked; one beyond toSeq requires the chain to reach toSeq.
    // Every checkpoint must verify with `key`.
    static Result verify(PgConn& conn, const std::string& instanceId, const Ed25519Verifier& key, int64_t fromSeq = 1,
                         int64_t toSeq = INT64_MAX, const std::vector<KnownHead>& known = {});
    // The same with the key each checkpoint row names (key_id), which `keys` must trust for this
    // instance; a checkpoint signed by any other key breaks the chain there.
    static Result verify(PgConn& conn, const std::string& instanceId, const AuditKeyRing& keys, int64_t fromSeq = 1,
                         int64_t toSeq = INT64_MAX, const std::vector<KnownHead>& known = {});
    // Every instance with records or checkpoints in the database, sorted (a loose index scan of the
    // primary key: one probe per instance and partition, not a scan).
    static std::vector<std::string> instances(PgConn& conn);

private:
    using KeyLookup = std::function<const Ed25519Verifier*(const std::string& keyId)>;
    static Result run(PgConn& conn, const std::string& instanceId, const KeyLookup& keyFor, int64_t fromSeq,
                      int64_t toSeq, const std::vector<KnownHead>& known);
};

}  // namespace hipaa::audit
