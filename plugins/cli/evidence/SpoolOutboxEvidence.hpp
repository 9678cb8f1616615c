// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where ePHI or its trail waits on disk: the audit handler's spool (health, frames, bytes, database
// connection, lag) and the FHIR outbox (pending, failing, dead-lettered, oldest pending). An unhealthy
// audit handler, a full spool or dead-lettered FHIR bundles fail the section.
#include "EvidenceSection.hpp"
#include "EvidenceSources.hpp"

namespace hipaa::cli {

class SpoolOutboxEvidence {
public:
    static EvidenceSection collect(const EvidenceSources& src);
};

}  // namespace hipaa::cli
