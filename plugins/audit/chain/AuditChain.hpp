// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The per-instance hash chain. hash = SHA-256(canonical(record)), where canonical() is
//   "janus-hipaa-audit/v1" then every column in table order (AuditRecordFields, then the event) as a
//   4-byte big-endian length + bytes
//   (0xFFFFFFFF for SQL NULL; integers as decimal text; event as compact JSON with sorted keys),
//   ending with prev_hash (32 raw bytes).
// A verifier needs nothing but the row to recompute it (docs/audit.md spells it out).
#include "AuditRecord.hpp"

#include "hipaa/Bytes.hpp"

namespace hipaa::audit {

class AuditChain {
public:
    static Bytes canonical(const AuditRecord& r);
    static Digest256 hashOf(const AuditRecord& r);
    // What a checkpoint signs: "janus-hipaa-audit-checkpoint/v1", instance, seq, head hash, time.
    static Bytes checkpointMessage(const std::string& instanceId, int64_t seq, const Digest256& head,
                                   int64_t signedAtUs);

    AuditChain(std::string instanceId, int64_t headSeq, Digest256 headHash)
        : instanceId_(std::move(instanceId)), seq_(headSeq), head_(headHash) {}
    // Assigns instance, seq, prev_hash and hash; advances the head.
    void append(AuditRecord& r);
    int64_t seq() const { return seq_; }
    const Digest256& head() const { return head_; }
    const std::string& instanceId() const { return instanceId_; }

private:
    std::string instanceId_;
    int64_t seq_;
    Digest256 head_;
};

}  // namespace hipaa::audit
