// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A client request to the room: one struct per request with only its fields, parsed and bounded
// before any state is touched (RoomRequest.cpp holds each request's fields, types and bounds).
// Unknown requests, missing or mistyped fields and oversize values are refused there with the shared
// codes: 301 not an object, 302 missing, 303 invalid, 304 unknown request (RequestError).
#include "hipaa/Json.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace hipaa::room {

// One entry of `streams`, `subscribe`, `unsubscribe` or `descriptions` (at most kMaxEntries).
struct StreamRef {
    static constexpr size_t kMaxEntries = 16;
    std::string feed;         // a publisher's participant id
    std::string mid;          // the publisher's mid (subscribe) or this handle's mid (configure)
    std::string subMid;       // unsubscribe by this handle's mid
    std::string description;  // publish/configure descriptions (shown to the room, never in events)
    int send = -1;            // configure: 1 send, 0 stop, -1 unchanged
};

// ---- participant handle: joining, the waiting room, moderation, notes ----
struct JoinRequest {
    static constexpr const char* kName = "join";
    std::string room;
    std::string token;    // size checked by the verifier, which has its own code for it
    std::string dob;      // optional
    std::string display;  // optional: the display name when the token carries none (patients)
};
struct LeaveRequest {
    static constexpr const char* kName = "leave";
};
struct ParticipantsRequest {
    static constexpr const char* kName = "participants";
};
// admit, deny, send_to_waiting, kick: `id` is a participant id from the room's events.
struct AdmitRequest {
    static constexpr const char* kName = "admit";
    std::string id;
};
struct DenyRequest {
    static constexpr const char* kName = "deny";
    std::string id;
};
struct SendToWaitingRequest {
    static constexpr const char* kName = "send_to_waiting";
    std::string id;
};
struct KickRequest {
    static constexpr const char* kName = "kick";
    std::string id;
};
struct EndRequest {
    static constexpr const char* kName = "end";
};
struct NoteRequest {
    static constexpr const char* kName = "note";
    static constexpr size_t kMaxTextBytes = size_t{64} * 1024;
    std::string text;
    std::string type;  // LOINC code; default 11506-3 (Progress note)
};

// ---- recording ----
struct RecordRequest {
    static constexpr const char* kName = "record";
};
struct StopRecordRequest {
    static constexpr const char* kName = "stop_record";
};
struct ConsentRequest {
    static constexpr const char* kName = "consent";
    bool consent = false;  // the patient's answer to a recording request (or a withdrawal)
};

// ---- media: publisher (participant handle) ----
struct MediaSettings {
    std::vector<StreamRef> descriptions;
    std::vector<StreamRef> streams;  // publisher: mute per mid; subscriber handle: send per mid
    int audio = -1, video = -1;      // 1 on, 0 off (mute), -1 unchanged
    int screen = -1;                 // the offer adds (1) or removes (0) a screen share
};
struct PublishRequest : MediaSettings {
    static constexpr const char* kName = "publish";
};
// With a JSEP offer: a renegotiation like publish; without: mute (publisher) or send (subscriber).
// `restart` (VideoRoom's): a subscriber handle gets a new offer with ICE restart; a publisher restarts
// ICE itself with its own offer (which must come with it).
struct ConfigureRequest : MediaSettings {
    static constexpr const char* kName = "configure";
    int restart = -1;
};
struct UnpublishRequest {
    static constexpr const char* kName = "unpublish";
};
struct ModerateRequest {
    static constexpr const char* kName = "moderate";
    std::string id;
    bool mute = false;  // mute (true) or unmute the target's stream(s)
    std::string mid;    // "" = all its audio and video
};

// ---- media: subscriber handle ----
struct SubscriberJoinRequest {
    static constexpr const char* kName = "join";  // with ptype "subscriber"
    std::string room;
    uint64_t privateId = 0;          // the owner's private_id from its `joined`
    std::vector<StreamRef> streams;  // at least one (the legacy `feed` becomes one)
};
struct StartRequest {
    static constexpr const char* kName = "start";
};
struct PauseRequest {
    static constexpr const char* kName = "pause";
};
struct UpdateRequest {
    static constexpr const char* kName = "update";
    std::vector<StreamRef> subscribe, unsubscribe;  // at least one entry in all, unless `restart`
    int restart = -1;                               // the new offer restarts ICE too
};

using RoomRequest = std::variant<JoinRequest, SubscriberJoinRequest, LeaveRequest, ParticipantsRequest, AdmitRequest,
                                 DenyRequest, SendToWaitingRequest, KickRequest, EndRequest, NoteRequest, RecordRequest,
                                 StopRecordRequest, ConsentRequest, PublishRequest, ConfigureRequest, UnpublishRequest,
                                 ModerateRequest, StartRequest, PauseRequest, UpdateRequest>;

// Throws RequestError (301 not an object, 302 missing, 303 invalid, 304 unknown request).
RoomRequest parseRoomRequest(const json_t* message);

// The request name as the client sent it ("join" for both joins).
const char* requestName(const RoomRequest& request);

}  // namespace hipaa::room
