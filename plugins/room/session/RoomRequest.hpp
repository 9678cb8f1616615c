#pragma once
// A client request to the room, parsed and bounded before any state is touched: unknown requests,
// missing or mistyped fields and oversize values are refused here (RequestError with shared codes).
#include "hipaa/Json.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace hipaa::room {

struct RoomRequest {
    enum class Kind {
        Join, Leave, Admit, Deny, SendToWaiting, Kick, End, Note, Participants, Record, StopRecord, Consent,
        // media (VideoRoom multistream subset)
        Publish, Configure, Unpublish, Start, Pause, Update, Moderate
    };
    static constexpr size_t kMaxStreams = 16;

    // One entry of `streams`, `subscribe`, `unsubscribe` or `descriptions`.
    struct StreamRef {
        std::string feed;         // a publisher's participant id
        std::string mid;          // the publisher's mid (subscribe) or this handle's mid (configure)
        std::string subMid;       // unsubscribe by this handle's mid
        std::string description;  // publish/configure descriptions (shown to the room, never in events)
        int send = -1;            // configure: 1 send, 0 stop, -1 unchanged
    };
    static constexpr size_t kMaxNoteBytes = 64 * 1024;
    static constexpr size_t kMaxIdBytes = 128;
    static constexpr size_t kMaxDisplayBytes = 64;

    Kind kind = Kind::Join;
    std::string name;     // the request name as sent
    std::string room;     // join
    std::string token;    // join (size checked by the verifier, which has its own code for it)
    std::string dob;      // join, optional
    std::string display;  // join, optional: the display name when the token carries none (patients)
    std::string target;   // admit, deny, send_to_waiting, kick: a participant id from the room's events
    std::string text;     // note
    std::string noteType; // note, LOINC code; default 11506-3 (Progress note)
    bool consent = false; // consent: the patient's answer to a recording request (or a withdrawal)
    bool subscriber = false;          // join with ptype "subscriber"
    uint64_t privateId = 0;           // subscriber join: the owner's private_id from its `joined`
    std::vector<StreamRef> streams;   // subscriber join/configure: streams; publisher configure: streams
    std::vector<StreamRef> subscribe, unsubscribe, descriptions;
    int audio = -1, video = -1;       // configure: 1 on, 0 off (mute), -1 unchanged
    int screen = -1;                  // publish/configure: the offer adds (1) or removes (0) a screen share
    bool mute = false;                // moderate: mute (true) or unmute the target's stream(s)

    // Throws RequestError (301 not an object, 302 missing, 303 invalid, 304 unknown request).
    static RoomRequest parse(const json_t* message);
};

}  // namespace hipaa::room
