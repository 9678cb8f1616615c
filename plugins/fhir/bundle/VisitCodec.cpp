#include "VisitCodec.hpp"

#include "hipaa/Errors.hpp"

namespace hipaa::fhir {
namespace {

JsonPtr encodeContext(const FhirContext& c) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "patient", c.patient);
    jsonSet(j.get(), "practitioner", c.practitioner);
    jsonSet(j.get(), "encounter", c.encounter);
    jsonSet(j.get(), "appointment", c.appointment);
    return j;
}

std::string str(const json_t* j, const char* key) { return std::string(jsonString(j, key).value_or("")); }

FhirContext decodeContext(const json_t* j) {
    return {str(j, "patient"), str(j, "practitioner"), str(j, "encounter"), str(j, "appointment")};
}

}  // namespace

JsonPtr VisitCodec::encode(const VisitEnded& v) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "visit_id", v.visitId);
    jsonSet(j.get(), "room_id", v.roomId);
    jsonSet(j.get(), "reason", v.reason);
    jsonSet(j.get(), "started_us", v.startedUs);
    jsonSet(j.get(), "ended_us", v.endedUs);
    jsonSet(j.get(), "fhir", encodeContext(v.fhir));
    JsonPtr parts = jsonArray();
    for (const auto& p : v.participants) {
        JsonPtr pj = jsonObject();
        jsonSet(pj.get(), "pseudonym", p.pseudonym);
        jsonSet(pj.get(), "role", p.role);
        jsonSet(pj.get(), "fhir", p.fhirReference);
        jsonSet(pj.get(), "joined_us", p.joinedUs);
        jsonSet(pj.get(), "left_us", p.leftUs);
        json_array_append_new(parts.get(), jsonRelease(std::move(pj)));
    }
    jsonSet(j.get(), "participants", std::move(parts));
    return j;
}

JsonPtr VisitCodec::encode(const NoteSubmitted& n) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "visit_id", n.visitId);
    jsonSet(j.get(), "room_id", n.roomId);
    jsonSet(j.get(), "note_id", n.noteId);
    jsonSet(j.get(), "text", n.text);
    jsonSet(j.get(), "loinc", n.loincCode);
    jsonSet(j.get(), "author", n.authorPseudonym);
    jsonSet(j.get(), "submitted_us", n.submittedUs);
    jsonSet(j.get(), "fhir", encodeContext(n.fhir));
    return j;
}

VisitEnded VisitCodec::decodeVisit(const json_t* j) {
    if (!json_is_object(j)) throw RequestError(errc::kInvalidField, "visit: not an object");
    VisitEnded v;
    v.visitId = std::string(jsonRequireString(j, "visit_id"));
    v.roomId = str(j, "room_id");
    v.reason = str(j, "reason");
    v.startedUs = jsonInt(j, "started_us").value_or(0);
    v.endedUs = jsonInt(j, "ended_us").value_or(0);
    v.fhir = decodeContext(json_object_get(j, "fhir"));
    size_t i;
    json_t* p;
    json_array_foreach(json_object_get(j, "participants"), i, p) {
        v.participants.push_back({str(p, "pseudonym"), str(p, "role"), str(p, "fhir"),
                                  jsonInt(p, "joined_us").value_or(0), jsonInt(p, "left_us").value_or(0)});
    }
    return v;
}

NoteSubmitted VisitCodec::decodeNote(const json_t* j) {
    if (!json_is_object(j)) throw RequestError(errc::kInvalidField, "note: not an object");
    NoteSubmitted n;
    n.visitId = std::string(jsonRequireString(j, "visit_id"));
    n.roomId = str(j, "room_id");
    n.noteId = std::string(jsonRequireString(j, "note_id"));
    n.text = std::string(jsonRequireString(j, "text"));
    n.loincCode = str(j, "loinc");
    n.authorPseudonym = str(j, "author");
    n.submittedUs = jsonInt(j, "submitted_us").value_or(0);
    n.fhir = decodeContext(json_object_get(j, "fhir"));
    return n;
}

}  // namespace hipaa::fhir
