// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Turns a finished visit and its clinician notes into one FHIR R4 transaction Bundle:
// Encounter (conditional create on our visit identifier, or a JSON Patch of only the fields we own
// when the token named an existing Encounter), one DocumentReference per note (conditional create on
// our note identifier) and a Provenance (PUT with an id derived from our identifiers: R4 Provenance
// has no identifier to create conditionally on). A visit's kept chat and documents are added at send
// time (addKept, KeptAttacher). The output holds PHI: it is sealed before storage.
#include "hipaa/Json.hpp"
#include "hipaa/KeptRecordSource.hpp"
#include "hipaa/VisitEvents.hpp"

#include <string>
#include <vector>

namespace hipaa::fhir {

struct BundleOptions {
    std::string identifierSystem;      // our namespace for visit/note identifiers (a URL we own)
    std::string instanceId;            // this Janus instance (Provenance transmitter identifier)
    std::string transmitterReference;  // optional "Device/.." or "Organization/.." on the EHR
    std::string defaultLoinc = "11506-3";
    // Kept chat: one Communication per message, or one DocumentReference holding the transcript.
    enum class ChatAs { Communication, Transcript } chatAs = ChatAs::Communication;
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

    // Adds the visit's kept chat and documents to a visit bundle built with visitEnd (the same
    // Encounter reference): Communications or a transcript DocumentReference, a DocumentReference per
    // document (content attached), each with its own Provenance. Throws RequestError(kInvalidField)
    // for a document whose content does not match its SHA-256.
    void addKept(json_t* bundle, const VisitEnded& visit, const std::vector<KeptVisitRecords>& kept,
                 int64_t recordedUs) const;

    std::string visitIdentifierSystem() const { return options_.identifierSystem + "/visit"; }
    std::string keptIdentifierSystem() const { return options_.identifierSystem + "/kept"; }
    std::string noteIdentifierSystem() const { return options_.identifierSystem + "/note"; }

    // FHIR instant (UTC, milliseconds) from microseconds since the epoch.
    static std::string instant(int64_t us);
    static const char* loincDisplay(const std::string& code);

private:
    JsonPtr encounter(const VisitEnded& visit) const;
    JsonPtr encounterPatch(const VisitEnded& visit) const;
    JsonPtr documentReference(const VisitEnded& visit, const NoteSubmitted& note, const std::string& encRef) const;
    std::string encounterRef(const VisitEnded& visit, bool visitEnd) const;
    // The sender's FHIR reference: the participant's own, else the visit's practitioner or patient by role.
    static std::string senderRef(const VisitEnded& visit, const std::string& pseudonym, const std::string& role);
    void addWithProvenance(json_t* entries, const std::string& kind, const std::string& value, JsonPtr resource,
                           const std::string& type, const std::string& author, int64_t recordedUs) const;
    JsonPtr provenance(const std::string& id, const std::vector<std::string>& targets, const std::string& author,
                       int64_t recordedUs) const;

    BundleOptions options_;
};

}  // namespace hipaa::fhir
