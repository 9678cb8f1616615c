// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `janus-hipaa audit verify|query|export`: janus.eventhandler.hipaa.audit's Admin API (docs/audit.md).
// `verify` exits 5 when the chain is broken; `query` and `export` carry the actor token
// (--actor-token-file) and are recorded in the trail under the actor's pseudonym.
#include "CommandContext.hpp"

namespace hipaa::cli {

class AuditCommands {
public:
    static int run(const CommandContext& ctx);
};

}  // namespace hipaa::cli
