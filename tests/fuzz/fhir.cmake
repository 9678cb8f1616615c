# SPDX-License-Identifier: GPL-3.0-or-later
# FHIR server answers (outside input): OperationOutcome filtering.
hipaa_add_fuzzer(fhir_response SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/FhirResponseFuzz.cpp LIBS hipaa_fhir_core)
