// SPDX-License-Identifier: GPL-3.0-or-later
// The only symbol Janus looks up in libjanus_hipaa_fhir.so.
#include "FhirGlue.hpp"

extern "C" __attribute__((visibility("default"))) janus_eventhandler* create() { return hipaa_fhir_eventhandler(); }
