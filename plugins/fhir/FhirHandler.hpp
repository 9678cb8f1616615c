#pragma once
// janus.eventhandler.hipaa.fhir. This first version validates its configuration (HTTPS base URL,
// CA bundle, bearer token file private to its owner) and answers `info`. It subscribes to nothing
// yet: visits reach it over the VisitBus once the FHIR export issue lands, so no fact is taken in and
// dropped. It needs no Janus events (PHI never travels on Janus' event bus): its mask is empty.
#include "hipaa/Config.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"

#include <memory>

namespace hipaa::fhir {

inline constexpr PluginInfo kFhirInfo{"janus.eventhandler.hipaa.fhir", "HIPAA FHIR export",
                                      "Exports visits and clinician notes to an EHR as FHIR R4", "0.1.0", 100};

class FhirHandler final : public EventHandlerCore {
public:
    FhirHandler(Config config, Logger log);
    static std::unique_ptr<EventHandlerCore> create(const std::string& configFile, Logger log);

    void incomingEvent(json_t* event) override;
    JsonPtr handleRequest(const json_t* request) override;

private:
    Config config_;
    Logger log_;
    std::string baseUrl_, auth_;
};

}  // namespace hipaa::fhir
