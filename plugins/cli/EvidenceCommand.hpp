// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `janus-hipaa evidence --out report.html`: the compliance evidence report of a running deployment
// (docs/compliance.md, docs/cli.md): one self-contained HTML file and its JSON beside it (report.json),
// every figure computed now. Exit 0 when every check passed, 5 when one failed or could not run.
#include "CommandContext.hpp"
#include "evidence/TransportEvidence.hpp"

namespace hipaa::cli {

class EvidenceCommand {
public:
    static int run(const CommandContext& ctx, const std::string& auditConninfoFromEnv,
                   const TransportEvidence::TlsProbe& probe = &TransportEvidence::curlProbe);
    // report.html -> report.json; any other name gets ".json" appended.
    static std::string jsonPath(const std::string& htmlPath);
};

}  // namespace hipaa::cli
