// SPDX-License-Identifier: GPL-3.0-or-later
#include "BundleBuilder.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace hipaa::fhir {
namespace {

constexpr const char* kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
constexpr const char* kParticipationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
constexpr const char* kLoinc = "http://loinc.org";
constexpr const char* kDocCategory = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category";
constexpr const char* kProvenanceType = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
constexpr const char* kUsCoreProvenanceType =
    "http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type";

JsonPtr reference(const std::string& ref) { return JsonBuilder().set("reference", ref).build(); }

JsonPtr coding(const char* system, const std::string& code, const char* display) {
    return JsonBuilder().set("system", system).set("code", code).setIf(display && *display, "display", display).build();
}

JsonPtr one(JsonPtr item) { return JsonArrayBuilder().push(std::move(item)).build(); }

JsonPtr codeable(JsonPtr c) { return JsonBuilder().set("coding", one(std::move(c))).build(); }

JsonPtr identifier(const std::string& system, const std::string& value) {
    return JsonBuilder().set("system", system).set("value", value).build();
}

JsonPtr period(int64_t startUs, int64_t endUs) {
    JsonBuilder p;
    if (startUs > 0) p.set("start", BundleBuilder::instant(startUs));
    if (endUs > 0) p.set("end", BundleBuilder::instant(endUs));
    return std::move(p).build();
}

// urn:uuid (RFC 4122 form) derived from a name, so a rebuilt bundle is byte-for-byte the same.
std::string urnUuid(const std::string& name) {
    Digest256 d = sha256(asBytes(name));
    d[6] = static_cast<uint8_t>((d[6] & 0x0f) | 0x50);
    d[8] = static_cast<uint8_t>((d[8] & 0x3f) | 0x80);
    std::string h = hexEncode(ByteView(d.data(), 16));
    return "urn:uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
           h.substr(20, 12);
}

// FHIR search token value: escape the characters the search syntax gives meaning to.
std::string tokenValue(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '|' || c == ',' || c == '$' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// FHIR JSON has no empty objects: a period without a start or end is left out.
void setPeriod(JsonBuilder& obj, const char* key, int64_t startUs, int64_t endUs) {
    if (startUs > 0 || endUs > 0) obj.set(key, period(startUs, endUs));
}

std::string ifNoneExist(const std::string& system, const std::string& value) {
    return "identifier=" + percentEncode(system + "|" + tokenValue(value));
}

JsonPtr entry(const std::string& fullUrl, JsonPtr resource, const char* method, const std::string& url,
              const std::string& condition = "") {
    return JsonBuilder()
        .setIf(!fullUrl.empty(), "fullUrl", fullUrl)
        .set("resource", std::move(resource))
        .set("request", JsonBuilder()
                            .set("method", method)
                            .set("url", url)
                            .setIf(!condition.empty(), "ifNoneExist", condition)
                            .build())
        .build();
}

bool isEncounterParticipant(const std::string& ref) {
    return ref.rfind("Practitioner/", 0) == 0 || ref.rfind("PractitionerRole/", 0) == 0 ||
           ref.rfind("RelatedPerson/", 0) == 0;
}

}  // namespace

BundleBuilder::BundleBuilder(BundleOptions options) : options_(std::move(options)) {
    if (options_.identifierSystem.empty()) throw ConfigError("identifier system must not be empty");
}

std::string BundleBuilder::instant(int64_t us) {
    std::time_t secs = static_cast<std::time_t>(us / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>((us % 1000000) / 1000));
    return out;
}

const char* BundleBuilder::loincDisplay(const std::string& code) {
    if (code == "11506-3") return "Progress note";
    if (code == "34117-2") return "History and physical note";
    if (code == "11488-4") return "Consult note";
    if (code == "18842-5") return "Discharge summary";
    if (code == "28570-0") return "Procedure note";
    if (code == "34746-8") return "Nurse note";
    return "";
}

JsonPtr BundleBuilder::encounter(const VisitEnded& v) const {
    JsonArrayBuilder participants;
    for (const auto& p : v.participants) {
        // Minimum necessary: people the EHR already knows, in the roles an Encounter lists.
        if (!isEncounterParticipant(p.fhirReference)) continue;
        const char* code = p.role == "provider" ? "PPRF" : (p.role == "interpreter" ? "TRANSL" : "PART");
        const char* display =
            p.role == "provider" ? "primary performer" : (p.role == "interpreter" ? "Translator" : "Participation");
        JsonBuilder pj;
        pj.set("type", one(codeable(coding(kParticipationType, code, display))));
        setPeriod(pj, "period", p.joinedUs, p.leftUs);
        participants.push(std::move(pj).set("individual", reference(p.fhirReference)).build());
    }
    JsonBuilder e;
    e.set("resourceType", "Encounter")
        .set("identifier", one(identifier(visitIdentifierSystem(), v.visitId)))
        .set("status", "finished")
        .set("class", coding(kActCode, "VR", "virtual"))
        .set("subject", reference(v.fhir.patient));
    if (!participants.empty()) e.set("participant", std::move(participants).build());
    setPeriod(e, "period", v.startedUs, v.endedUs);
    if (!v.fhir.appointment.empty()) e.set("appointment", one(reference(v.fhir.appointment)));
    return std::move(e).build();
}

// The Encounter is the EHR's: we set only its status and the period of the video visit.
JsonPtr BundleBuilder::encounterPatch(const VisitEnded& v) const {
    JsonArrayBuilder ops;
    ops.push(JsonBuilder().set("op", "add").set("path", "/status").set("value", "finished").build());
    if (v.startedUs > 0 || v.endedUs > 0)
        ops.push(
            JsonBuilder().set("op", "add").set("path", "/period").set("value", period(v.startedUs, v.endedUs)).build());
    std::string patch = jsonDump(std::move(ops).build().get());
    return JsonBuilder()
        .set("resourceType", "Binary")
        .set("contentType", "application/json-patch+json")
        .set("data", base64Encode(asBytes(patch)))
        .build();
}

JsonPtr BundleBuilder::documentReference(const VisitEnded& v, const NoteSubmitted& n, const std::string& encRef) const {
    std::string code = n.loincCode.empty() ? options_.defaultLoinc : n.loincCode;
    std::string author = n.fhir.practitioner.empty() ? v.fhir.practitioner : n.fhir.practitioner;
    std::string submitted = n.submittedUs > 0 ? instant(n.submittedUs) : "";
    JsonPtr attachment = JsonBuilder()
                             .set("contentType", "text/plain; charset=utf-8")
                             .set("data", base64Encode(asBytes(n.text)))
                             .setIf(!submitted.empty(), "creation", submitted)
                             .build();
    JsonBuilder ctx;
    ctx.set("encounter", one(reference(encRef)));
    setPeriod(ctx, "period", v.startedUs, v.endedUs);
    JsonBuilder d;
    d.set("resourceType", "DocumentReference")
        .set("identifier", one(identifier(noteIdentifierSystem(), n.noteId)))
        .set("status", "current")
        .set("type", codeable(coding(kLoinc, code, loincDisplay(code))))
        .set("category", one(codeable(coding(kDocCategory, "clinical-note", "Clinical Note"))))
        .set("subject", reference(v.fhir.patient))
        .setIf(!submitted.empty(), "date", submitted);
    if (!author.empty()) d.set("author", one(reference(author)));
    return std::move(d)
        .set("content", one(JsonBuilder().set("attachment", std::move(attachment)).build()))
        .set("context", std::move(ctx).build())
        .build();
}

JsonPtr BundleBuilder::provenance(const std::string& id, const std::vector<std::string>& targets,
                                  const std::string& author, int64_t recordedUs) const {
    JsonArrayBuilder t;
    for (const auto& ref : targets) t.push(reference(ref));
    JsonArrayBuilder agents;
    if (!author.empty())
        agents.push(JsonBuilder()
                        .set("type", codeable(coding(kProvenanceType, "author", "Author")))
                        .set("who", reference(author))
                        .build());
    const std::string& txRef = options_.transmitterReference;
    agents.push(
        JsonBuilder()
            .set("type", codeable(coding(kUsCoreProvenanceType, "transmitter", "Transmitter")))
            .set("who", JsonBuilder()
                            .setIf(!txRef.empty(), "reference", txRef)
                            .set("identifier", identifier(options_.identifierSystem + "/instance", options_.instanceId))
                            .set("display", "janus-hipaa " + options_.instanceId)
                            .build())
            .build());
    return JsonBuilder()
        .set("resourceType", "Provenance")
        .set("id", id)
        .set("target", std::move(t).build())
        .set("recorded", instant(recordedUs))
        .set("agent", std::move(agents).build())
        .build();
}

JsonPtr BundleBuilder::build(const VisitEnded& v, const std::vector<NoteSubmitted>& notes, int64_t recordedUs,
                             bool visitEnd) const {
    if (v.visitId.empty()) throw RequestError(errc::kMissingField, "visit id missing");
    if (v.fhir.patient.rfind("Patient/", 0) != 0) throw RequestError(errc::kMissingField, "fhir.patient missing");
    JsonArrayBuilder entries;
    std::vector<std::string> targets;
    std::string encRef;
    std::string provenanceName = options_.identifierSystem + "|" + v.visitId + (visitEnd ? "|end" : "");
    if (!v.fhir.encounter.empty()) {
        // The scheduling system made the Encounter: patch what we own, never create a second one.
        encRef = v.fhir.encounter;
        if (visitEnd) {
            entries.push(entry("", encounterPatch(v), "PATCH", v.fhir.encounter));
            targets.push_back(encRef);
        }
    } else {
        encRef = urnUuid("encounter|" + provenanceName);
        entries.push(entry(encRef, encounter(v), "POST", "Encounter", ifNoneExist(visitIdentifierSystem(), v.visitId)));
        if (visitEnd) targets.push_back(encRef);
    }
    std::string author = v.fhir.practitioner;
    for (const auto& n : notes) {
        if (n.visitId != v.visitId) throw RequestError(errc::kInvalidField, "note of another visit");
        if (n.noteId.empty()) throw RequestError(errc::kMissingField, "note id missing");
        std::string docRef = urnUuid("note|" + options_.identifierSystem + "|" + n.noteId);
        entries.push(entry(docRef, documentReference(v, n, encRef), "POST", "DocumentReference",
                           ifNoneExist(noteIdentifierSystem(), n.noteId)));
        targets.push_back(docRef);
        provenanceName += "|" + n.noteId;
        if (!n.fhir.practitioner.empty()) author = n.fhir.practitioner;
    }
    if (!targets.empty()) {
        Digest256 d = sha256(asBytes(provenanceName));
        std::string id = "jh-" + hexEncode(ByteView(d.data(), 20));
        entries.push(entry(urnUuid("provenance|" + provenanceName), provenance(id, targets, author, recordedUs), "PUT",
                           "Provenance/" + id));
    }
    return JsonBuilder()
        .set("resourceType", "Bundle")
        .set("type", "transaction")
        .set("entry", std::move(entries).build())
        .build();
}

}  // namespace hipaa::fhir
