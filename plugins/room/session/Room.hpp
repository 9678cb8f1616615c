// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One consult room: its class, its visit (history for VisitEnded, FHIR context), its participants by
// id and the state of its recording. `description` is PHI: never emitted.
#include "Participant.hpp"

#include "hipaa/VisitEvents.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hipaa::room {

struct Room {
    // A provider's request waits for every asked patient's consent. `active` from the StartRecording
    // effect on (the relay gives the tap the media of who may be recorded), `live` once the recorder
    // answered and everyone was told.
    struct Recording {
        bool active = false, live = false, consentPending = false;
        uint64_t ticket = 0;                     // of the StartRecording in flight or done
        std::string requestedBy;                 // participant id of the provider who asked
        std::string startBy, startTx;            // who started it; its `record` to answer ("": none)
        std::set<std::string> asked, consented;  // participant ids
    };

    std::string id, className, description, visitId;
    int64_t createdUs = 0, startedUs = 0, endedUs = 0;
    bool ended = false;
    std::map<std::string, Participant> participants;  // by participant id
    std::vector<VisitParticipant> history;
    FhirContext fhir;
    Recording recording;
    bool chatKeeping = false;           // a KeepChat effect went out (class `chat = "record"`), no StopChat yet
    std::set<std::string> chatContext;  // pseudonyms in the running kept chat's context
    // The kept chat's recordings the recorder sealed, in order (VisitEnded.keptRecordings), and the
    // StopChat effects it has not answered yet (a visit that ends with some: PendingVisitEnd).
    std::vector<std::string> keptRecordings;
    unsigned chatStopsPending = 0;
};

// A visit that ended while its kept chat was still being sealed (RoomState::endsAwaitingSeal): published
// once the recorder answered every StopChat, or at `deadlineUs` with the recordings sealed by then;
// whether or not its room still exists (an Admin `destroy` right after the end loses nothing).
struct PendingVisitEnd {
    VisitEnded visit;
    int64_t visitStartedUs = 0;  // Room::startedUs (0: the visit never started)
    uint64_t participants = 0;   // Room::history.size()
    unsigned stopsPending = 0;
    int64_t deadlineUs = 0;
};

// Keeps the first non-empty value of each reference: the visit's context is what the first token
// that named it said.
inline void mergeFhir(FhirContext& into, const FhirContext& from) {
    if (into.patient.empty()) into.patient = from.patient;
    if (into.practitioner.empty()) into.practitioner = from.practitioner;
    if (into.encounter.empty()) into.encounter = from.encounter;
    if (into.appointment.empty()) into.appointment = from.appointment;
}

}  // namespace hipaa::room
