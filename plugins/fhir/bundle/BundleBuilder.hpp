// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Turns a finished visit and its clinician notes into one FHIR R4 transaction Bundle:
// Encounter (conditional create on our visit identifier, or a JSON Patch of only the fields we own
// when the token named an existing Encounter), one DocumentReference per note (conditional create on
// our note identifier) and a Provenance (PUT with an id derived from our identifiers: R4 Provenance
// has no identifier to create conditionally on). The output holds PHI: it is sealed before storage.
#include "hipaa/Json.hpp"
#include "hipaa/VisitEvents.hpp"

#include <string>
#include <vector>

namespace hipaa::fhir {

struct BundleOptions {
    std::string identifierSystem;      // our namespace for visit/note identifiers (a URL we own)
    std::string instanceId;            // this Janus instance (Provenance transmitter identifier)
    std::string transmitterReference;  // optional "Device/.." or "Organization/.." on the EHR
    std::string defaultLoinc = "11506-3";
};

class BundleBuilder {
public:
    explicit BundleBuilder(BundleOptions options);

    // `recordedUs` is the Provenance.recorded time. Notes must belong to `visit`.
    // visitEnd: the visit's own bundle (Encounter created or patched, Provenance targets it too).
    // Otherwise (notes after the visit's end) an Encounter we created is still named by a conditional
    // create, so the references resolve to the same resource; an EHR-made one is only referenced.
    JsonPtr build(const VisitEnded& visit, const std::vector<NoteSubmitted>& notes, int64_t recordedUs,
                  bool visitEnd) const;

    std::string visitIdentifierSystem() const { return options_.identifierSystem + "/visit"; }
    std::string noteIdentifierSystem() const { return options_.identifierSystem + "/note"; }

    // FHIR instant (UTC, milliseconds) from microseconds since the epoch.
    static std::string instant(int64_t us);
    static const char* loincDisplay(const std::string& code);

private:
    JsonPtr encounter(const VisitEnded& visit) const;
    JsonPtr encounterPatch(const VisitEnded& visit) const;
    JsonPtr documentReference(const VisitEnded& visit, const NoteSubmitted& note, const std::string& encRef) const;
    JsonPtr provenance(const std::string& id, const std::vector<std::string>& targets, const std::string& author,
                       int64_t recordedUs) const;

    BundleOptions options_;
};

}  // namespace hipaa::fhir
