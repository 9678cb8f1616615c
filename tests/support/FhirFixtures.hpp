// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A visit and notes as the room plugin publishes them, and readers of what the FHIR server holds, for
// the FHIR tests.
#include "hipaa/Hash.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/KeptRecordSource.hpp"
#include "hipaa/VisitEvents.hpp"

#include <initializer_list>
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

inline KeptDocument keptDocument(const std::string& sender, const std::string& role, const std::string& mime,
                                 Bytes content, uint64_t sentMs) {
    KeptDocument d{sender, role, sentMs, mime, std::move(content), {}};
    d.sha256 = sha256(d.content);
    return d;
}

// A kept-chat recording of sampleVisit: a provider message, a patient message that is not UTF-8, a
// PDF from the provider and a PNG from the patient.
inline KeptVisitRecords sampleKept(const std::string& recording) {
    const uint64_t t = kStartUs / 1000 + 120000;
    KeptVisitRecords r;
    r.recording = recording;
    r.messages.push_back({"ps1_aa", "provider", t, "Please send the photo of the rash \u00e9"});
    r.messages.push_back({"ps1_bb", "patient", t + 1000, std::string("latin-1 caf\xe9 ok", 15)});
    const std::string pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    r.documents.push_back(
        keptDocument("ps1_aa", "provider", "application/pdf", Bytes(pdf.begin(), pdf.end()), t + 2000));
    Bytes png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'};
    r.documents.push_back(keptDocument("ps1_bb", "patient", "image/png", std::move(png), t + 3000));
    return r;
}

// The first resource of a search result (a searchset Bundle).
inline const json_t* firstResource(const json_t* searchset) {
    return json_object_get(json_array_get(json_object_get(searchset, "entry"), 0), "resource");
}

// The string at `path` (object keys, array indices as digits); "" when there is none.
inline std::string str(const json_t* j, std::initializer_list<const char*> path) {
    for (const char* p : path) j = json_is_array(j) ? json_array_get(j, std::stoul(p)) : json_object_get(j, p);
    return json_is_string(j) ? json_string_value(j) : "";
}

}  // namespace hipaa::fhir::test
