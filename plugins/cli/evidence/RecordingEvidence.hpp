// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Recordings at rest and their retention: policies (recorder config), recordings by policy and
// status, holds, deletions due soon, and a sample verified now through the recorder's `verify`:
// sealed ones (signed manifest, file digests, every chunk authenticated with its unwrapped key) and
// deleted ones (signed receipt valid, key destroyed). `list` and `verify` are gated: they need an
// actor token of a role that may read every recording (docs/access.md).
#include "EvidenceSection.hpp"
#include "EvidenceSources.hpp"

namespace hipaa::cli {

class RecordingEvidence {
public:
    static EvidenceSection collect(const EvidenceSources& src);
};

}  // namespace hipaa::cli
