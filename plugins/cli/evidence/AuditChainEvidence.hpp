// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The audit trail's integrity: the audit handler's `verify` of every instance's chain (hashes, links,
// sequence, checkpoint signatures, its head file), the first broken record by instance and seq, and
// each instance's newest checkpoint and when it was signed (audit database).
#include "EvidenceSection.hpp"
#include "EvidenceSources.hpp"

namespace hipaa::cli {

class AuditChainEvidence {
public:
    static EvidenceSection collect(const EvidenceSources& src);
};

}  // namespace hipaa::cli
