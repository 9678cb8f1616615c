// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Facts carried on the VisitBus. They may hold PHI (names, FHIR references, note text): they exist
// only in-process and must never be logged or put into a Janus event.
#include <cstdint>
#include <string>
#include <vector>

namespace hipaa {

struct FhirContext {
    std::string patient, practitioner, encounter, appointment;  // FHIR references from the token
};

struct VisitParticipant {
    std::string pseudonym, role, fhirReference;
    int64_t joinedUs = 0, leftUs = 0;  // wall clock, microseconds since the epoch
};

struct VisitEnded {
    static constexpr const char* kTopic = "visit.ended";
    std::string visitId, roomId, reason;
    int64_t startedUs = 0, endedUs = 0;
    FhirContext fhir;
    std::vector<VisitParticipant> participants;
    // The visit's sealed kept-chat recordings (chat and documents; KeptRecordSource reads them), in
    // order; empty when the class only relays. keptToEhr: the class sends them to the EHR (false: they
    // stay in the recorder only).
    std::vector<std::string> keptRecordings;
    bool keptToEhr = true;
};

struct NoteSubmitted {
    static constexpr const char* kTopic = "visit.note";
    std::string visitId, roomId, noteId, text, loincCode, authorPseudonym;
    int64_t submittedUs = 0;
    FhirContext fhir;
};

}  // namespace hipaa
