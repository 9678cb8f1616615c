#include "RoomRequest.hpp"

#include "hipaa/Errors.hpp"

namespace hipaa::room {
namespace {

std::string field(const json_t* m, const char* key, size_t max, bool required) {
    const json_t* v = json_object_get(m, key);
    if (!v) {
        if (required) throw RequestError(errc::kMissingField, std::string("missing field: ") + key);
        return {};
    }
    if (!json_is_string(v)) throw RequestError(errc::kInvalidField, std::string("field must be a string: ") + key);
    size_t len = json_string_length(v);
    if (len > max) throw RequestError(errc::kInvalidField, std::string("field too long: ") + key);
    std::string s(json_string_value(v), len);
    if (s.find('\0') != std::string::npos) throw RequestError(errc::kInvalidField, std::string("field has NUL: ") + key);
    return s;
}

}  // namespace

RoomRequest RoomRequest::parse(const json_t* m) {
    if (!json_is_object(m)) throw RequestError(errc::kInvalidJson, "message must be a JSON object");
    RoomRequest r;
    r.name = field(m, "request", 64, true);
    const std::string& n = r.name;
    if (n == "join") {
        r.kind = Kind::Join;
        r.room = field(m, "room", kMaxIdBytes, true);
        // The verifier refuses tokens over its limit with its own code; bound the copy here.
        r.token = field(m, "token", 64 * 1024, true);
        r.dob = field(m, "dob", 10, false);
    } else if (n == "leave") {
        r.kind = Kind::Leave;
    } else if (n == "admit" || n == "deny" || n == "send_to_waiting" || n == "kick") {
        r.kind = n == "admit" ? Kind::Admit : n == "deny" ? Kind::Deny : n == "kick" ? Kind::Kick : Kind::SendToWaiting;
        r.target = field(m, "id", kMaxIdBytes, true);
    } else if (n == "end") {
        r.kind = Kind::End;
    } else if (n == "note") {
        r.kind = Kind::Note;
        r.text = field(m, "text", kMaxNoteBytes, true);
        if (r.text.empty()) throw RequestError(errc::kInvalidField, "field must not be empty: text");
        r.noteType = field(m, "type", 32, false);
        if (r.noteType.empty()) r.noteType = "11506-3";
        for (char c : r.noteType)
            if (!((c >= '0' && c <= '9') || c == '-')) throw RequestError(errc::kInvalidField, "type must be a LOINC code");
    } else if (n == "participants") {
        r.kind = Kind::Participants;
    } else if (n == "record") {
        r.kind = Kind::Record;
    } else if (n == "stop_record") {
        r.kind = Kind::StopRecord;
    } else if (n == "consent") {
        r.kind = Kind::Consent;
        const json_t* v = json_object_get(m, "consent");
        if (!v) throw RequestError(errc::kMissingField, "missing field: consent");
        if (!json_is_boolean(v)) throw RequestError(errc::kInvalidField, "field must be a boolean: consent");
        r.consent = json_is_true(v);
    } else {
        throw RequestError(errc::kUnknownRequest, "unknown request");
    }
    return r;
}

}  // namespace hipaa::room
