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

int flag(const json_t* m, const char* key) {
    const json_t* v = json_object_get(m, key);
    if (!v) return -1;
    if (!json_is_boolean(v)) throw RequestError(errc::kInvalidField, std::string("field must be a boolean: ") + key);
    return json_is_true(v) ? 1 : 0;
}

// A feed is a participant id; VideoRoom clients may send it as a number, which no participant has.
std::string feedOf(const json_t* o, bool required) {
    const json_t* v = json_object_get(o, "feed");
    if (v && json_is_integer(v)) return std::to_string(json_integer_value(v));
    return field(o, "feed", RoomRequest::kMaxIdBytes, required);
}

std::vector<RoomRequest::StreamRef> streamList(const json_t* m, const char* key, bool feedRequired) {
    std::vector<RoomRequest::StreamRef> out;
    const json_t* arr = json_object_get(m, key);
    if (!arr) return out;
    if (!json_is_array(arr)) throw RequestError(errc::kInvalidField, std::string("field must be an array: ") + key);
    if (json_array_size(arr) > RoomRequest::kMaxStreams)
        throw RequestError(errc::kInvalidField, std::string("too many entries: ") + key);
    size_t i;
    const json_t* o;
    json_array_foreach(arr, i, o) {
        if (!json_is_object(o)) throw RequestError(errc::kInvalidField, std::string("entries must be objects: ") + key);
        RoomRequest::StreamRef r;
        r.feed = feedOf(o, feedRequired);
        r.mid = field(o, "mid", 32, false);
        r.subMid = field(o, "sub_mid", 32, false);
        r.description = field(o, "description", 128, false);
        r.send = flag(o, "send");
        out.push_back(std::move(r));
    }
    return out;
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
        std::string ptype = field(m, "ptype", 16, false);
        if (!ptype.empty() && ptype != "publisher" && ptype != "subscriber")
            throw RequestError(errc::kInvalidField, "ptype must be publisher or subscriber");
        r.subscriber = ptype == "subscriber";
        if (r.subscriber) {
            // A subscriber handle belongs to an admitted participant: its private_id, not a token.
            const json_t* pid = json_object_get(m, "private_id");
            if (!pid) throw RequestError(errc::kMissingField, "missing field: private_id");
            if (!json_is_integer(pid) || json_integer_value(pid) <= 0)
                throw RequestError(errc::kInvalidField, "private_id must be a positive integer");
            r.privateId = static_cast<uint64_t>(json_integer_value(pid));
            r.streams = streamList(m, "streams", true);
            if (r.streams.empty()) {
                RoomRequest::StreamRef one;
                one.feed = feedOf(m, true);  // legacy single-feed form
                r.streams.push_back(std::move(one));
            }
        } else {
            // The verifier refuses tokens over its limit with its own code; bound the copy here.
            r.token = field(m, "token", 64 * 1024, true);
            r.dob = field(m, "dob", 10, false);
            // PHI typed by the patient (or sent by the clinic's app): shown to the room, never in events.
            r.display = field(m, "display", kMaxDisplayBytes, false);
            for (unsigned char ch : r.display)
                if (ch < 0x20 || ch == 0x7f) throw RequestError(errc::kInvalidField, "display has control characters");
        }
    } else if (n == "publish" || n == "configure") {
        r.kind = n == "publish" ? Kind::Publish : Kind::Configure;
        r.descriptions = streamList(m, "descriptions", false);
        r.streams = streamList(m, "streams", false);
        r.audio = flag(m, "audio");
        r.video = flag(m, "video");
        r.screen = flag(m, "screen");
    } else if (n == "unpublish") {
        r.kind = Kind::Unpublish;
    } else if (n == "start") {
        r.kind = Kind::Start;
    } else if (n == "pause") {
        r.kind = Kind::Pause;
    } else if (n == "update") {
        r.kind = Kind::Update;
        r.subscribe = streamList(m, "subscribe", true);
        r.unsubscribe = streamList(m, "unsubscribe", false);
        if (r.subscribe.empty() && r.unsubscribe.empty())
            throw RequestError(errc::kMissingField, "update needs subscribe or unsubscribe");
    } else if (n == "moderate") {
        r.kind = Kind::Moderate;
        r.target = field(m, "id", kMaxIdBytes, true);
        const json_t* v = json_object_get(m, "mute");
        if (!v) throw RequestError(errc::kMissingField, "missing field: mute");
        if (!json_is_boolean(v)) throw RequestError(errc::kInvalidField, "field must be a boolean: mute");
        r.mute = json_is_true(v);
        RoomRequest::StreamRef one;
        one.mid = field(m, "mid", 32, false);
        if (!one.mid.empty()) r.streams.push_back(std::move(one));
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
