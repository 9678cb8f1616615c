// SPDX-License-Identifier: GPL-3.0-or-later
#include "VisitCodec.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

namespace hipaa::fhir {
namespace {

JsonPtr encodeContext(const FhirContext& c) {
    return JsonBuilder()
        .set("patient", c.patient)
        .set("practitioner", c.practitioner)
        .set("encounter", c.encounter)
        .set("appointment", c.appointment)
        .build();
}

std::string str(const json_t* j, const char* key) { return std::string(jsonString(j, key).value_or("")); }

FhirContext decodeContext(const json_t* j) {
    return {str(j, "patient"), str(j, "practitioner"), str(j, "encounter"), str(j, "appointment")};
}

}  // namespace

JsonPtr VisitCodec::encode(const VisitEnded& v) {
    JsonArrayBuilder parts;
    for (const auto& p : v.participants)
        parts.push(JsonBuilder()
                       .set("pseudonym", p.pseudonym)
                       .set("role", p.role)
                       .set("fhir", p.fhirReference)
                       .set("joined_us", p.joinedUs)
                       .set("left_us", p.leftUs)
                       .build());
    JsonArrayBuilder kept;
    for (const auto& r : v.keptRecordings) kept.push(std::string_view(r));
    return JsonBuilder()
        .set("visit_id", v.visitId)
        .set("room_id", v.roomId)
        .set("reason", v.reason)
        .set("started_us", v.startedUs)
        .set("ended_us", v.endedUs)
        .set("fhir", encodeContext(v.fhir))
        .set("participants", std::move(parts).build())
        .set("kept_recordings", std::move(kept).build())
        .set("kept_to_ehr", v.keptToEhr)
        .build();
}

JsonPtr VisitCodec::encode(const NoteSubmitted& n) {
    return JsonBuilder()
        .set("visit_id", n.visitId)
        .set("room_id", n.roomId)
        .set("note_id", n.noteId)
        .set("text", n.text)
        .set("loinc", n.loincCode)
        .set("author", n.authorPseudonym)
        .set("submitted_us", n.submittedUs)
        .set("fhir", encodeContext(n.fhir))
        .build();
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
    json_t* r;
    json_array_foreach(json_object_get(j, "kept_recordings"), i, r) {
        if (!json_is_string(r)) throw RequestError(errc::kInvalidField, "visit: kept_recordings");
        v.keptRecordings.emplace_back(json_string_value(r), json_string_length(r));
    }
    // Rows written before kept records existed have neither key: nothing kept, nothing to send.
    json_t* toEhr = json_object_get(j, "kept_to_ehr");
    v.keptToEhr = toEhr ? json_is_true(toEhr) : true;
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
