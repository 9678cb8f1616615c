// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The evidence report: runs every collector against the live sources and gathers their sections.
// The report passes only when every section passes.
#include "EvidenceSection.hpp"
#include "EvidenceSources.hpp"
#include "TransportEvidence.hpp"

#include <string>

namespace hipaa::cli {

class EvidenceReport {
public:
    // {"generated", "period_days", "tool_version", "state", "sections": [...]}
    static JsonPtr collect(EvidenceSources& src, const TransportEvidence::TlsProbe& probe,
                           const std::string& toolVersion);
};

}  // namespace hipaa::cli
