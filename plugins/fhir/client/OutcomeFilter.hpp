// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Keeps only the PHI-free parts of a FHIR OperationOutcome: per issue its severity, code,
// details.coding (system/code) and expression/location paths. Diagnostics and free text are dropped:
// servers quote values there (e.g. "Resource Patient/123 not found").
#include "hipaa/Json.hpp"

namespace hipaa::fhir {

class OutcomeFilter {
public:
    // nullptr unless `body` is an OperationOutcome.
    static JsonPtr phiFree(const json_t* body);
};

}  // namespace hipaa::fhir
