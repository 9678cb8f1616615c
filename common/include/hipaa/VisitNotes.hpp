// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The FHIR handler's typed in-process seam for the notes of a visit as they were sent to the EHR
// (the recorder's patient copy puts them next to the visit's recordings). The handler keeps each note
// sealed in its outbox database; a note counts once a bundle that carried it is in state `sent`.
// janus.eventhandler.hipaa.fhir provides it; not loaded: the slot is empty and the caller says the notes were
// unavailable.
#include "hipaa/InProcessSlot.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hipaa {

struct SentNote {
    std::string noteId;  // the note's identifier in the EHR bundle
    std::string text;    // PHI: the text exactly as sent
    int64_t sentMs = 0;  // when the EHR accepted the bundle that carried it
};

class VisitNotes {
public:
    virtual ~VisitNotes() = default;
    // Each sent note of `visit` once, oldest first. Throws Error when
    // the outbox cannot be read.
    virtual std::vector<SentNote> sentNotes(const std::string& visit) = 0;

    static InProcessSlot<VisitNotes>& inProcess();
};

}  // namespace hipaa
