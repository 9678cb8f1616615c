#include "BundleBuilder.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"

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
constexpr const char* kUsCoreProvenanceType = "http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type";

JsonPtr reference(const std::string& ref) {
    JsonPtr r = jsonObject();
    jsonSet(r.get(), "reference", ref);
    return r;
}

JsonPtr coding(const char* system, const std::string& code, const char* display) {
    JsonPtr c = jsonObject();
    jsonSet(c.get(), "system", system);
    jsonSet(c.get(), "code", code);
    if (display && *display) jsonSet(c.get(), "display", display);
    return c;
}

JsonPtr codeable(JsonPtr c) {
    JsonPtr cc = jsonObject();
    JsonPtr arr = jsonArray();
    json_array_append_new(arr.get(), jsonRelease(std::move(c)));
    jsonSet(cc.get(), "coding", std::move(arr));
    return cc;
}

JsonPtr one(JsonPtr item) {
    JsonPtr arr = jsonArray();
    json_array_append_new(arr.get(), jsonRelease(std::move(item)));
    return arr;
}

JsonPtr identifier(const std::string& system, const std::string& value) {
    JsonPtr id = jsonObject();
    jsonSet(id.get(), "system", system);
    jsonSet(id.get(), "value", value);
    return id;
}

JsonPtr period(int64_t startUs, int64_t endUs) {
    JsonPtr p = jsonObject();
    if (startUs > 0) jsonSet(p.get(), "start", BundleBuilder::instant(startUs));
    if (endUs > 0) jsonSet(p.get(), "end", BundleBuilder::instant(endUs));
    return p;
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
void setPeriod(json_t* obj, const char* key, int64_t startUs, int64_t endUs) {
    if (startUs > 0 || endUs > 0) jsonSet(obj, key, period(startUs, endUs));
}

std::string ifNoneExist(const std::string& system, const std::string& value) {
    return "identifier=" + percentEncode(system + "|" + tokenValue(value));
}

JsonPtr entry(const std::string& fullUrl, JsonPtr resource, const char* method, const std::string& url,
              const std::string& condition = "") {
    JsonPtr e = jsonObject();
    if (!fullUrl.empty()) jsonSet(e.get(), "fullUrl", fullUrl);
    jsonSet(e.get(), "resource", std::move(resource));
    JsonPtr req = jsonObject();
    jsonSet(req.get(), "method", method);
    jsonSet(req.get(), "url", url);
    if (!condition.empty()) jsonSet(req.get(), "ifNoneExist", condition);
    jsonSet(e.get(), "request", std::move(req));
    return e;
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
    JsonPtr e = jsonObject();
    jsonSet(e.get(), "resourceType", "Encounter");
    jsonSet(e.get(), "identifier", one(identifier(visitIdentifierSystem(), v.visitId)));
    jsonSet(e.get(), "status", "finished");
    jsonSet(e.get(), "class", coding(kActCode, "VR", "virtual"));
    jsonSet(e.get(), "subject", reference(v.fhir.patient));
    JsonPtr participants = jsonArray();
    for (const auto& p : v.participants) {
        // Minimum necessary: people the EHR already knows, in the roles an Encounter lists.
        if (!isEncounterParticipant(p.fhirReference)) continue;
        JsonPtr pj = jsonObject();
        const char* code = p.role == "provider" ? "PPRF" : (p.role == "interpreter" ? "TRANSL" : "PART");
        const char* display = p.role == "provider" ? "primary performer"
                                                   : (p.role == "interpreter" ? "Translator" : "Participation");
        jsonSet(pj.get(), "type", one(codeable(coding(kParticipationType, code, display))));
        setPeriod(pj.get(), "period", p.joinedUs, p.leftUs);
        jsonSet(pj.get(), "individual", reference(p.fhirReference));
        json_array_append_new(participants.get(), jsonRelease(std::move(pj)));
    }
    if (json_array_size(participants.get()) > 0) jsonSet(e.get(), "participant", std::move(participants));
    setPeriod(e.get(), "period", v.startedUs, v.endedUs);
    if (!v.fhir.appointment.empty()) jsonSet(e.get(), "appointment", one(reference(v.fhir.appointment)));
    return e;
}

// The Encounter is the EHR's: we set only its status and the period of the video visit.
JsonPtr BundleBuilder::encounterPatch(const VisitEnded& v) const {
    JsonPtr ops = jsonArray();
    JsonPtr status = jsonObject();
    jsonSet(status.get(), "op", "add");
    jsonSet(status.get(), "path", "/status");
    jsonSet(status.get(), "value", "finished");
    json_array_append_new(ops.get(), jsonRelease(std::move(status)));
    if (v.startedUs > 0 || v.endedUs > 0) {
        JsonPtr per = jsonObject();
        jsonSet(per.get(), "op", "add");
        jsonSet(per.get(), "path", "/period");
        jsonSet(per.get(), "value", period(v.startedUs, v.endedUs));
        json_array_append_new(ops.get(), jsonRelease(std::move(per)));
    }
    std::string patch = jsonDump(ops.get());
    JsonPtr bin = jsonObject();
    jsonSet(bin.get(), "resourceType", "Binary");
    jsonSet(bin.get(), "contentType", "application/json-patch+json");
    jsonSet(bin.get(), "data", base64Encode(asBytes(patch)));
    return bin;
}

JsonPtr BundleBuilder::documentReference(const VisitEnded& v, const NoteSubmitted& n, const std::string& encRef) const {
    std::string code = n.loincCode.empty() ? options_.defaultLoinc : n.loincCode;
    JsonPtr d = jsonObject();
    jsonSet(d.get(), "resourceType", "DocumentReference");
    jsonSet(d.get(), "identifier", one(identifier(noteIdentifierSystem(), n.noteId)));
    jsonSet(d.get(), "status", "current");
    jsonSet(d.get(), "type", codeable(coding(kLoinc, code, loincDisplay(code))));
    jsonSet(d.get(), "category", one(codeable(coding(kDocCategory, "clinical-note", "Clinical Note"))));
    jsonSet(d.get(), "subject", reference(v.fhir.patient));
    if (n.submittedUs > 0) jsonSet(d.get(), "date", instant(n.submittedUs));
    std::string author = n.fhir.practitioner.empty() ? v.fhir.practitioner : n.fhir.practitioner;
    if (!author.empty()) jsonSet(d.get(), "author", one(reference(author)));
    JsonPtr att = jsonObject();
    jsonSet(att.get(), "contentType", "text/plain; charset=utf-8");
    jsonSet(att.get(), "data", base64Encode(asBytes(n.text)));
    if (n.submittedUs > 0) jsonSet(att.get(), "creation", instant(n.submittedUs));
    JsonPtr content = jsonObject();
    jsonSet(content.get(), "attachment", std::move(att));
    jsonSet(d.get(), "content", one(std::move(content)));
    JsonPtr ctx = jsonObject();
    jsonSet(ctx.get(), "encounter", one(reference(encRef)));
    setPeriod(ctx.get(), "period", v.startedUs, v.endedUs);
    jsonSet(d.get(), "context", std::move(ctx));
    return d;
}

JsonPtr BundleBuilder::provenance(const std::string& id, const std::vector<std::string>& targets,
                                  const std::string& author, int64_t recordedUs) const {
    JsonPtr p = jsonObject();
    jsonSet(p.get(), "resourceType", "Provenance");
    jsonSet(p.get(), "id", id);
    JsonPtr t = jsonArray();
    for (const auto& ref : targets) json_array_append_new(t.get(), jsonRelease(reference(ref)));
    jsonSet(p.get(), "target", std::move(t));
    jsonSet(p.get(), "recorded", instant(recordedUs));
    JsonPtr agents = jsonArray();
    if (!author.empty()) {
        JsonPtr a = jsonObject();
        jsonSet(a.get(), "type", codeable(coding(kProvenanceType, "author", "Author")));
        jsonSet(a.get(), "who", reference(author));
        json_array_append_new(agents.get(), jsonRelease(std::move(a)));
    }
    JsonPtr tx = jsonObject();
    jsonSet(tx.get(), "type", codeable(coding(kUsCoreProvenanceType, "transmitter", "Transmitter")));
    JsonPtr who = options_.transmitterReference.empty() ? jsonObject() : reference(options_.transmitterReference);
    jsonSet(who.get(), "identifier", identifier(options_.identifierSystem + "/instance", options_.instanceId));
    jsonSet(who.get(), "display", "janus-hipaa " + options_.instanceId);
    jsonSet(tx.get(), "who", std::move(who));
    json_array_append_new(agents.get(), jsonRelease(std::move(tx)));
    jsonSet(p.get(), "agent", std::move(agents));
    return p;
}

JsonPtr BundleBuilder::build(const VisitEnded& v, const std::vector<NoteSubmitted>& notes, int64_t recordedUs,
                             bool visitEnd) const {
    if (v.visitId.empty()) throw RequestError(errc::kMissingField, "visit id missing");
    if (v.fhir.patient.rfind("Patient/", 0) != 0) throw RequestError(errc::kMissingField, "fhir.patient missing");
    JsonPtr bundle = jsonObject();
    jsonSet(bundle.get(), "resourceType", "Bundle");
    jsonSet(bundle.get(), "type", "transaction");
    JsonPtr entries = jsonArray();
    std::vector<std::string> targets;
    std::string encRef;
    std::string provenanceName = options_.identifierSystem + "|" + v.visitId + (visitEnd ? "|end" : "");
    if (!v.fhir.encounter.empty()) {
        // The scheduling system made the Encounter: patch what we own, never create a second one.
        encRef = v.fhir.encounter;
        if (visitEnd) {
            json_array_append_new(entries.get(),
                                  jsonRelease(entry("", encounterPatch(v), "PATCH", v.fhir.encounter)));
            targets.push_back(encRef);
        }
    } else {
        encRef = urnUuid("encounter|" + provenanceName);
        json_array_append_new(entries.get(), jsonRelease(entry(encRef, encounter(v), "POST", "Encounter",
                                                               ifNoneExist(visitIdentifierSystem(), v.visitId))));
        if (visitEnd) targets.push_back(encRef);
    }
    std::string author = v.fhir.practitioner;
    for (const auto& n : notes) {
        if (n.visitId != v.visitId) throw RequestError(errc::kInvalidField, "note of another visit");
        if (n.noteId.empty()) throw RequestError(errc::kMissingField, "note id missing");
        std::string docRef = urnUuid("note|" + options_.identifierSystem + "|" + n.noteId);
        json_array_append_new(entries.get(),
                              jsonRelease(entry(docRef, documentReference(v, n, encRef), "POST", "DocumentReference",
                                                ifNoneExist(noteIdentifierSystem(), n.noteId))));
        targets.push_back(docRef);
        provenanceName += "|" + n.noteId;
        if (!n.fhir.practitioner.empty()) author = n.fhir.practitioner;
    }
    if (!targets.empty()) {
        Digest256 d = sha256(asBytes(provenanceName));
        std::string id = "jh-" + hexEncode(ByteView(d.data(), 20));
        json_array_append_new(entries.get(), jsonRelease(entry(urnUuid("provenance|" + provenanceName),
                                                               provenance(id, targets, author, recordedUs), "PUT",
                                                               "Provenance/" + id)));
    }
    jsonSet(bundle.get(), "entry", std::move(entries));
    return bundle;
}

}  // namespace hipaa::fhir
