// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// JSON form of the VisitBus facts, for the sealed rows of the outbox (fhir_visit, fhir_note).
// The JSON holds PHI: it is only ever stored encrypted.
#include "hipaa/Json.hpp"
#include "hipaa/VisitEvents.hpp"

namespace hipaa::fhir {

class VisitCodec {
public:
    static JsonPtr encode(const VisitEnded& visit);
    static JsonPtr encode(const NoteSubmitted& note);
    // Throw RequestError(kInvalidField) naming the field on malformed input.
    static VisitEnded decodeVisit(const json_t* j);
    static NoteSubmitted decodeNote(const json_t* j);
};

}  // namespace hipaa::fhir
