// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The clinician notes inside a transaction Bundle that BundleBuilder made: each DocumentReference's
// identifier and its text/plain attachment, decoded (the text as the EHR received it).
#include "hipaa/Json.hpp"

#include <string>
#include <vector>

namespace hipaa::fhir {

class BundleNotes {
public:
    struct Note {
        std::string noteId, text;  // text: PHI
    };
    // Entries that are not DocumentReferences, or carry no text/plain attachment, are skipped.
    static std::vector<Note> read(const json_t* bundle);
};

}  // namespace hipaa::fhir
