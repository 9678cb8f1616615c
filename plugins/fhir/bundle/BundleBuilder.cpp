// SPDX-License-Identifier: GPL-3.0-or-later
#include "BundleBuilder.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

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

// The text as a JSON string, or nullptr when it is not UTF-8 (jansson's own check).
JsonPtr utf8String(const std::string& text) { return jsonAdopt(json_stringn(text.data(), text.size())); }

// What the chart shows of a kept message. Our clients send `{"from": ..., "text": "..."}` on the data
// channel and the recorder keeps those bytes exactly; a clinician reads the `text` (who sent it is the
// room's record, never the client's own `from`). Anything else goes to the chart as it was sent.
std::string chartText(const std::string& sent) {
    if (sent.empty() || sent.front() != '{') return sent;
    json_error_t error;
    JsonPtr message = jsonAdopt(json_loadb(sent.data(), sent.size(), 0, &error));
    const json_t* text = json_object_get(message.get(), "text");
    return json_is_string(text) ? std::string(json_string_value(text), json_string_length(text)) : sent;
}

// R4 Attachment.hash: base64 of the SHA-1 of the data.
std::string sha1Base64(ByteView data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr) != 1) throw CryptoError("SHA-1 failed");
    return base64Encode(ByteView(md, len));
}

int64_t msToUs(uint64_t ms) { return static_cast<int64_t>(ms) * 1000; }

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

std::string BundleBuilder::encounterRef(const VisitEnded& v, bool visitEnd) const {
    if (!v.fhir.encounter.empty()) return v.fhir.encounter;
    return urnUuid("encounter|" + options_.identifierSystem + "|" + v.visitId + (visitEnd ? "|end" : ""));
}

std::string BundleBuilder::senderRef(const VisitEnded& v, const std::string& pseudonym, const std::string& role) {
    for (const auto& p : v.participants)
        if (!pseudonym.empty() && p.pseudonym == pseudonym && !p.fhirReference.empty()) return p.fhirReference;
    if (role == "provider") return v.fhir.practitioner;
    if (role == "patient") return v.fhir.patient;
    return "";
}

// A kept resource (conditional create on its identifier) and the Provenance that names its sender.
void BundleBuilder::addWithProvenance(json_t* entries, const std::string& kind, const std::string& value,
                                      JsonPtr resource, const std::string& type, const std::string& author,
                                      int64_t recordedUs) const {
    std::string system = keptIdentifierSystem() + "-" + kind;
    std::string name = "kept|" + system + "|" + value;
    std::string fullUrl = urnUuid(name);
    json_object_set_new(resource.get(), "identifier", jsonRelease(one(identifier(system, value))));
    json_array_append_new(entries,
                          jsonRelease(entry(fullUrl, std::move(resource), "POST", type, ifNoneExist(system, value))));
    Digest256 d = sha256(asBytes(name));
    std::string id = "jh-" + hexEncode(ByteView(d.data(), 20));
    json_array_append_new(
        entries, jsonRelease(entry(urnUuid("provenance|" + name), provenance(id, {fullUrl}, author, recordedUs), "PUT",
                                   "Provenance/" + id)));
}

void BundleBuilder::addKept(json_t* bundle, const VisitEnded& v, const std::vector<KeptVisitRecords>& kept,
                            int64_t recordedUs) const {
    json_t* entries = json_object_get(bundle, "entry");
    if (!json_is_array(entries)) throw RequestError(errc::kInvalidField, "bundle without entries");
    const std::string encRef = encounterRef(v, true);
    auto context = [&] {
        JsonBuilder ctx;
        ctx.set("encounter", one(reference(encRef)));
        setPeriod(ctx, "period", v.startedUs, v.endedUs);
        return std::move(ctx).build();
    };
    std::string transcript;
    for (const auto& rec : kept) {
        for (size_t i = 0; i < rec.messages.size(); ++i) {
            const KeptMessage& m = rec.messages[i];
            std::string sender = senderRef(v, m.sender, m.role);
            const std::string said = chartText(m.text);
            JsonPtr text = utf8String(said);
            if (options_.chatAs == BundleOptions::ChatAs::Transcript) {
                // One line per message; text that is not UTF-8 stays exact as base64.
                transcript += instant(msToUs(m.sentMs)) + " " + (m.role.empty() ? "participant" : m.role) +
                              (sender.empty() ? "" : " (" + sender + ")") + ": " +
                              (text ? said : "[not UTF-8, base64] " + base64Encode(asBytes(said))) + "\n";
                continue;
            }
            JsonPtr payload = text ? JsonBuilder().set("contentString", std::move(text)).build()
                                   : JsonBuilder()
                                         .set("contentAttachment", JsonBuilder()
                                                                       .set("contentType", "application/octet-stream")
                                                                       .set("data", base64Encode(asBytes(said)))
                                                                       .set("size", static_cast<int64_t>(said.size()))
                                                                       .build())
                                         .build();
            JsonBuilder c;
            c.set("resourceType", "Communication")
                .set("status", "completed")
                .set("subject", reference(v.fhir.patient))
                .set("encounter", reference(encRef));
            if (m.sentMs) c.set("sent", instant(msToUs(m.sentMs)));
            if (!sender.empty()) c.set("sender", reference(sender));
            c.set("payload", one(std::move(payload)));
            addWithProvenance(entries, "message", rec.recording + "/" + std::to_string(i), std::move(c).build(),
                              "Communication", sender, recordedUs);
        }
        for (size_t i = 0; i < rec.documents.size(); ++i) {
            const KeptDocument& doc = rec.documents[i];
            // Fail closed: what goes to the chart is exactly what the recorder authenticated.
            if (sha256(doc.content) != doc.sha256)
                throw RequestError(errc::kInvalidField, "kept document does not match its SHA-256");
            std::string sender = senderRef(v, doc.sender, doc.role);
            std::string created = doc.sentMs ? instant(msToUs(doc.sentMs)) : "";
            JsonPtr attachment = JsonBuilder()
                                     .set("contentType", doc.mime.empty() ? "application/octet-stream" : doc.mime)
                                     .set("data", base64Encode(doc.content))
                                     .set("size", static_cast<int64_t>(doc.content.size()))
                                     .set("hash", sha1Base64(doc.content))
                                     .setIf(!created.empty(), "creation", created)
                                     .build();
            JsonBuilder d;
            d.set("resourceType", "DocumentReference")
                .set("status", "current")
                .set("type", JsonBuilder().set("text", "Document shared during the video visit").build())
                .set("subject", reference(v.fhir.patient))
                .setIf(!created.empty(), "date", created);
            if (!sender.empty()) d.set("author", one(reference(sender)));
            d.set("content", one(JsonBuilder().set("attachment", std::move(attachment)).build()))
                .set("context", context());
            addWithProvenance(entries, "document", rec.recording + "/" + std::to_string(i), std::move(d).build(),
                              "DocumentReference", sender, recordedUs);
        }
    }
    if (!transcript.empty()) {
        JsonPtr attachment = JsonBuilder()
                                 .set("contentType", "text/plain; charset=utf-8")
                                 .set("data", base64Encode(asBytes(transcript)))
                                 .set("size", static_cast<int64_t>(transcript.size()))
                                 .set("hash", sha1Base64(asBytes(transcript)))
                                 .set("title", "Chat transcript of the video visit")
                                 .build();
        OPENSSL_cleanse(transcript.data(), transcript.size());
        JsonBuilder d;
        d.set("resourceType", "DocumentReference")
            .set("status", "current")
            .set("type", JsonBuilder().set("text", "Chat transcript of the video visit").build())
            .set("subject", reference(v.fhir.patient));
        if (v.endedUs > 0) d.set("date", instant(v.endedUs));
        d.set("content", one(JsonBuilder().set("attachment", std::move(attachment)).build())).set("context", context());
        // The transcript's author is the system that kept it (the transmitter agent), not one person.
        addWithProvenance(entries, "transcript", v.visitId, std::move(d).build(), "DocumentReference", "", recordedUs);
    }
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
        encRef = encounterRef(v, visitEnd);
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
