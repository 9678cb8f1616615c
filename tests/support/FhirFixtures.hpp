#pragma once
// A visit and notes as the room plugin publishes them, for the FHIR tests.
#include "hipaa/VisitEvents.hpp"

#include <string>

namespace hipaa::fhir::test {

inline constexpr int64_t kStartUs = 1795000000000000;  // 2026-11-17T..Z

inline VisitEnded sampleVisit(const std::string& visitId, const std::string& patient = "Patient/pat-1",
                              const std::string& practitioner = "Practitioner/doc-1") {
    VisitEnded v;
    v.visitId = visitId;
    v.roomId = "room-1";
    v.reason = "ended";
    v.startedUs = kStartUs;
    v.endedUs = kStartUs + 1800000000;
    v.fhir.patient = patient;
    v.fhir.practitioner = practitioner;
    v.participants.push_back({"ps1_aa", "provider", practitioner, kStartUs, v.endedUs});
    v.participants.push_back({"ps1_bb", "patient", patient, kStartUs + 60000000, v.endedUs - 1000000});
    v.participants.push_back({"ps1_cc", "observer", "", kStartUs, kStartUs + 1000});
    return v;
}

inline NoteSubmitted sampleNote(const std::string& visitId, const std::string& noteId, const std::string& text,
                                const std::string& patient = "Patient/pat-1",
                                const std::string& practitioner = "Practitioner/doc-1") {
    NoteSubmitted n;
    n.visitId = visitId;
    n.roomId = "room-1";
    n.noteId = noteId;
    n.text = text;
    n.authorPseudonym = "ps1_aa";
    n.submittedUs = kStartUs + 900000000;
    n.fhir.patient = patient;
    n.fhir.practitioner = practitioner;
    return n;
}

}  // namespace hipaa::fhir::test
