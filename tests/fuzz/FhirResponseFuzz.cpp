// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer: what a FHIR server answers (OperationOutcome, transaction-response) through the parser
// and the PHI filter the outbox keeps outcomes with. The filtered outcome must stay small and ASCII-safe.
#include "OutcomeFilter.hpp"

#include "hipaa/Errors.hpp"

#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    hipaa::JsonPtr body;
    try {
        body = hipaa::jsonParse(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const hipaa::Error&) {
        return 0;
    }
    hipaa::JsonPtr out = hipaa::fhir::OutcomeFilter::phiFree(body.get());
    if (out) {
        std::string text = hipaa::jsonDump(out.get());
        if (json_array_size(json_object_get(out.get(), "issue")) > 20) std::abort();
        for (unsigned char c : text)
            if (c >= 0x80) std::abort();  // only codes and paths survive
    }
    return 0;
}
