#pragma once
// Recomputes the chain over a range of one instance's records and checks the checkpoints' Ed25519
// signatures, with nothing but the rows and the public key (the handler's `verify` and the
// stand-alone audit-verify tool both use it).
#include "hipaa/Ed25519Verifier.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/PgConn.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace hipaa::audit {

class AuditVerifier {
public:
    struct Result {
        bool ok = true;
        int64_t recordsChecked = 0, checkpointsChecked = 0, lastSeq = 0;
        std::optional<int64_t> firstBrokenSeq;  // the first record that does not verify
        std::string reason;                     // why (no values)
        JsonPtr toJson() const;
    };

    static Result verify(PgConn& conn, const std::string& instanceId, const Ed25519Verifier& key, int64_t fromSeq = 1,
                         int64_t toSeq = INT64_MAX);
};

}  // namespace hipaa::audit
