// SPDX-License-Identifier: GPL-3.0-or-later
// The janus_eventhandler table of janus.eventhandler.hipaa.fhir.
#include "FhirGlue.hpp"

#include "FhirHandler.hpp"
#include "hipaa/glue/EventHandlerGlue.hpp"

namespace {
struct FhirTraits {
    static constexpr hipaa::PluginInfo kInfo = hipaa::fhir::kFhirInfo;
    // PHI never travels on the Janus event bus: the FHIR handler needs none of it.
    static constexpr janus_flags kEventsMask = JANUS_EVENT_TYPE_NONE;
    static std::unique_ptr<hipaa::EventHandlerCore> create(const std::string& file, hipaa::Logger log) {
        return hipaa::fhir::FhirHandler::create(file, std::move(log));
    }
};
}  // namespace

janus_eventhandler* hipaa_fhir_eventhandler() { return hipaa::glue::EventHandlerGlue<FhirTraits>::table(); }
