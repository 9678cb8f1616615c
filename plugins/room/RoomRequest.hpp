#pragma once
// A client request to the room, parsed and bounded before any state is touched: unknown requests,
// missing or mistyped fields and oversize values are refused here (RequestError with shared codes).
#include "hipaa/Json.hpp"

#include <cstddef>
#include <string>

namespace hipaa::room {

struct RoomRequest {
    enum class Kind { Join, Leave, Admit, Deny, SendToWaiting, Kick, End, Note, Participants, Record, StopRecord, Consent };
    static constexpr size_t kMaxNoteBytes = 64 * 1024;
    static constexpr size_t kMaxIdBytes = 128;

    Kind kind = Kind::Join;
    std::string name;     // the request name as sent
    std::string room;     // join
    std::string token;    // join (size checked by the verifier, which has its own code for it)
    std::string dob;      // join, optional
    std::string target;   // admit, deny, send_to_waiting, kick: a participant id from the room's events
    std::string text;     // note
    std::string noteType; // note, LOINC code; default 11506-3 (Progress note)
    bool consent = false; // consent: the patient's answer to a recording request (or a withdrawal)

    // Throws RequestError (301 not an object, 302 missing, 303 invalid, 304 unknown request).
    static RoomRequest parse(const json_t* message);
};

}  // namespace hipaa::room
