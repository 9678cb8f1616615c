// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Failed access attempts and lockouts in the period, from the audit database: counts per day and by
// action and reason, lockouts by scope, and the audit lag per day. Counts only, no PHI.
#include "EvidenceSection.hpp"
#include "EvidenceSources.hpp"

namespace hipaa::cli {

class AccessEvidence {
public:
    static EvidenceSection collect(const EvidenceSources& src);
};

}  // namespace hipaa::cli
