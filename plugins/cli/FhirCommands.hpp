// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `janus-hipaa fhir pending|retry|status`: janus.eventhandler.hipaa.fhir's Admin API (docs/fhir.md).
#include "CommandContext.hpp"

namespace hipaa::cli {

class FhirCommands {
public:
    static int run(const CommandContext& ctx);
};

}  // namespace hipaa::cli
