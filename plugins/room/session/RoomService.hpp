#pragma once
// The consult rooms' state machine: joins (token verification, lockout), the waiting room, roles,
// moderation, notes, visit end, timeouts, revocation and the Admin API. Single-threaded by contract
// (RoomPlugin serializes every call under one mutex); it never calls Janus or the recorder, it returns
// Effects.
// Times are microseconds since the epoch, passed in so tests control the clock.
#include "Effect.hpp"
#include "LockoutTracker.hpp"
#include "MediaRelay.hpp"
#include "RoomClass.hpp"
#include "RoomRequest.hpp"
#include "TokenVerifier.hpp"

#include "hipaa/Pseudonymizer.hpp"
#include "hipaa/Sdp.hpp"
#include "hipaa/VisitBus.hpp"
#include "hipaa/VisitEvents.hpp"

#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <unordered_map>

namespace hipaa::room {

struct RoomSettings {
    std::map<std::string, RoomClass> classes{{"default", RoomClass{}}};
    // Wrong dates of birth of one subject in one room within the window lock that subject out of that
    // room; failures before any signature verified (junk tokens, unknown rooms, wrong private_ids,
    // malformed joins) within the window lock that Janus session out. Authentic tokens (replayed,
    // expired, revoked ...) count nowhere. <= 0: no lockout of that kind.
    int lockoutFailures = 5;
    int64_t lockoutWindowS = 300, lockoutS = 300;
    int sessionFailures = 10;
    // Asked before every join and admission: "" when the audit trail takes records, else a PHI-free
    // reason ("audit_not_loaded", "spool_full" ...) and the visit does not start (fail closed).
    // Null: not checked (general.require_audit = false).
    std::function<std::string()> auditCheck;
    // Someone carries out StartRecording/StopRecording effects (RoomPlugin: a RecordingTap per room
    // feeding the recorder). False: `record` answers 454.
    bool recorder = false;
};

// The VisitBus seam (tests count or refuse publications).
struct VisitPublisher {
    std::function<VisitBus::PublishResult(NoteSubmitted)> note;
    std::function<VisitBus::PublishResult(VisitEnded)> ended;
    static VisitPublisher bus();
};

// The media seams: the relay (fan-out, thread-safe) and SDP offer/answer (the glue's sdp-utils).
// Either null: media requests answer 305 (not implemented) and nothing is relayed.
struct MediaControl {
    MediaRelay* relay = nullptr;
    SdpEngine* sdp = nullptr;
};

class RoomService {
public:
    // At most one `chat` audit event per participant per interval (a summary of what came meanwhile).
    static constexpr int64_t kChatEventIntervalUs = 1'000'000;

    RoomService(RoomSettings settings, std::shared_ptr<TokenVerifier> verifier, Pseudonymizer pseudonyms,
                VisitPublisher publisher, MediaControl media = {});

    // A Janus handle was attached: `janusSession` is the Janus API session (one per janus.js `new
    // Janus()`, i.e. per browser tab) it belongs to, 0 when the host cannot tell (then the handle
    // counts as its own session). Subscriber handles must share their owner's; rate limits count per it.
    void sessionCreated(SessionId session, uint64_t janusSession);
    // A client request (and its JSEP, if any); every outcome (answers included) comes back as effects.
    Effects handle(SessionId session, const std::string& transaction, const json_t* message, int64_t nowUs,
                   const json_t* jsep = nullptr);
    // The Janus handle went away (hangup, detach, end_session): leave without pushing to it.
    Effects sessionGone(SessionId session, int64_t nowUs);
    // Its PeerConnection went away (hangup_media): a publisher is unpublished, a subscriber dropped.
    Effects mediaGone(SessionId session, int64_t nowUs);
    // Janus' slow_link: `uplink` = Janus to the peer lost packets (the peer's downlink), else the peer's
    // uplink. The handle's client is told (it may lower its bitrate); a PHI-free event records it.
    Effects slowLink(SessionId session, bool uplink, bool video, int64_t nowUs);
    // A part of the room's recording failed after it started (RecordingTap's report: `reason` is
    // start_failed, too_many_streams, write_failed or stop_failed; `recording` the recorder's id or "").
    // Counted; a PHI-free event; every admitted participant who may record is told.
    Effects recordingFailed(const std::string& room, const std::string& reason, const std::string& recording,
                            int64_t nowUs);
    // Timeouts: idle, token expiry, maximum visit length; and the `chat` audit summaries (below).
    Effects tick(int64_t nowUs);
    // The outcome of a StartRecording / StopRecording effect (`ids`: the recorder's recordings sealed).
    Effects recordingStarted(uint64_t ticket, bool ok);
    Effects recordingStopped(uint64_t ticket, const std::vector<std::string>& ids, bool ok);
    // Admin API message_plugin (except plugin `info` and `reload_keys`, answered by RoomPlugin).
    JsonPtr admin(const json_t* request, int64_t nowUs, Effects& out);
    // A room's description (PHI, never emitted) through the Admin API.
    static constexpr size_t kMaxDescriptionBytes = 1024;
    // Rooms from the .jcfg.
    void createRoom(const std::string& id, const std::string& className, const std::string& description, int64_t nowUs);
    size_t roomCount() const { return rooms_.size(); }
    size_t sessionCount() const { return sessions_.size(); }

private:
    struct PubStream {
        SdpMedia media;
        bool screen = false, muted = false;
        std::string description;  // from the client, shown to the room (never in notify events)
    };
    struct SubStream {
        SdpMedia media;           // mindex/mid of this subscriber handle; codec/pt of the feed
        std::string feed, feedMid;
        int pubMindex = 0;
        bool send = true;
    };
    struct Subscriber {
        std::string room, owner;  // owner: the participant id whose private_id opened it
        std::vector<SubStream> streams;
        uint64_t version = 0;
        bool e2ee = false;
    };
    struct Participant {
        std::string id, pseudonym, name, sub, jti;
        SessionId session = 0;
        Role role = Role::Patient;
        FhirContext fhir;
        bool waiting = true;
        int64_t joinedUs = 0, lastActivityUs = 0, expS = 0;
        size_t historyIndex = 0;
        // media
        uint64_t feed = 0, privateId = 0;  // relay feed number; secret that opens subscriber handles
        bool publishing = false, e2ee = false;
        std::vector<PubStream> streams;
        std::set<SessionId> subscribers;   // subscriber handles this participant opened
        uint64_t mediaPackets = 0;         // packets sent + received at the last tick (idle timeout)
        ChatMeter::Counts chat;            // data channel messages not yet in a `chat` event
        int64_t lastChatEventUs = 0;
    };
    struct Room {
        std::string id, className, description, visitId;  // description is PHI: never emitted
        int64_t createdUs = 0, startedUs = 0, endedUs = 0;
        bool ended = false;
        std::map<std::string, Participant> participants;  // by participant id
        std::vector<VisitParticipant> history;
        FhirContext fhir;
        // Recording: a provider's request waits for every asked patient's consent. `recording` from the
        // StartRecording effect on (the relay gives the tap the media of who may be recorded),
        // `recordingLive` once the recorder answered and everyone was told.
        bool recording = false, recordingLive = false, consentPending = false;
        uint64_t recordingTicket = 0;               // of the StartRecording in flight or done
        std::string requestedBy;                    // participant id of the provider who asked
        std::string startBy, startTx;               // who started it; its `record` to answer ("": none)
        std::set<std::string> asked, consented;     // participant ids
    };
    struct Where {
        std::string room, participant;
    };

    // True (and the error pushed) when settings_.auditCheck reports the audit trail unusable.
    bool auditRefuses(SessionId s, const std::string& tx, const char* request, const Room* room, Effects& out);
    void join(SessionId s, const std::string& tx, const JoinRequest& r, int64_t now, Effects& out);
    // Every refused join: a `join` event (outcome refused, code, reason, pseudonym if authentic) and the
    // error. `room` only when the request named an existing room (client strings are not echoed).
    void refuseJoin(SessionId s, const std::string& tx, const Room* room, int code, const std::string& reason,
                    const std::string& message, const std::string& pseudonym, Effects& out);
    // The rate-limit key of a handle: its Janus session, or the handle itself when that is unknown.
    std::string janusSessionKey(SessionId s) const;
    // A failure before any signature verified, counted for the handle's Janus session.
    void unverifiedFailure(SessionId s, int64_t nowS, Effects& out);
    bool rateLimited(SessionId s, int64_t nowS) const;
    void moderate(SessionId s, const std::string& tx, const RoomRequest& r, Room& room, Participant& me, int64_t now,
                  Effects& out);
    void note(SessionId s, const std::string& tx, const NoteRequest& r, Room& room, Participant& me, int64_t now,
              Effects& out);
    void record(SessionId s, const std::string& tx, bool stop, Room& room, Participant& me, Effects& out);
    void consent(SessionId s, const std::string& tx, const ConsentRequest& r, Room& room, Participant& me, Effects& out);
    // Asks for the recording (StartRecording); recordingStarted() tells the room, or `by` (the
    // requesting provider's participant id) gets 454. `tx`: the `record` request answered on success.
    void startRecording(Room& room, const std::string& by, const std::string& tx, Effects& out);
    // Closes the tap to everyone at once, then asks for the seal (StopRecording).
    void stopRecording(Room& room, const std::string& reason, Effects& out);
    // Whether the relay may give p's media to the room's recording tap: only while recording, and a
    // participant asked for consent only once she gave it.
    bool tapped(const Room& room, const Participant& p) const;
    void updateTapGates(Room& room);
    void cancelConsent(Room& room, const std::string& reason, Effects& out);
    void pushRecordingState(Room& room, const char* state, const std::string& reason, Effects& out);
    bool asksConsent(const Room& room, const Participant& p) const;
    // Someone admitted while recording (or while consent is pending) is told, and patients are asked.
    void askLateJoiner(Room& room, const Participant& p, Effects& out);
    // A participant left: consent bookkeeping (a pending request may complete or be cancelled).
    void consentLeaver(Room& room, const std::string& pid, Effects& out);
    void admitNow(Room& room, Participant& p, Effects& out);
    // Ends one participant: a final event to the client, then the handle is hung up.
    // `pid` by value: callers pass the participant's own id, which erasing the participant destroys.
    void endParticipant(Room& room, std::string pid, const std::string& reason, int64_t now, Effects& out,
                        bool pushToIt = true);
    void removeParticipant(Room& room, std::string pid, int64_t now, Effects& out);
    void endVisit(Room& room, const std::string& reason, int64_t now, Effects& out);

    // media (RoomServiceMedia.cpp)
    void publish(SessionId s, const std::string& tx, const std::string& name, const MediaSettings& r,
                 const json_t* jsep, Room& room, Participant& me, Effects& out);
    void mute(SessionId s, const std::string& tx, const MediaSettings& r, Room& room, Participant& me, Effects& out);
    void moderateMute(SessionId s, const std::string& tx, const ModerateRequest& r, Room& room, Participant& me,
                      Effects& out);
    void setMuted(Room& room, Participant& target, PubStream& st, bool muted, const Participant& by, Effects& out);
    void unpublish(Room& room, Participant& me, bool pushToIt, const std::string& tx, int64_t now, Effects& out);
    // Collects what the relay counted for p's data channel; emits it as one PHI-free `chat` event (never
    // the text) unless p had one less than kChatEventIntervalUs ago (`final`: at once, p stops publishing).
    void flushChat(Room& room, Participant& p, int64_t now, bool final, Effects& out);
    void subscriberJoin(SessionId s, const std::string& tx, const SubscriberJoinRequest& r, int64_t now, Effects& out);
    void subscriberRequest(SessionId s, const std::string& tx, const RoomRequest& r, const json_t* jsep,
                           Subscriber& sub, Effects& out);
    // Resolves subscribe entries to streams (all of a feed's active streams when no mid); 0 on success,
    // else an error code with `why`.
    int resolveStreams(const Room& room, const Participant& owner, const std::vector<StreamRef>& refs,
                       std::vector<SubStream>& out, std::string& why) const;
    void pushSubscriberOffer(SessionId s, const std::string& tx, const char* kind, Subscriber& sub, Effects& out);
    void dropSubscriber(SessionId s, Effects& out, bool end);
    // A participant stops all media: publication, subscriber handles (ended), PeerConnection (hangup).
    void dropMedia(Room& room, Participant& p, int64_t now, Effects& out, bool hangupPc);
    JsonPtr joinedBody(const Room& room, const Participant& p) const;
    JsonPtr publisherDesc(const Room& room, const Participant& viewer, const Participant& p) const;
    JsonPtr publishersFor(const Room& room, const Participant& viewer) const;
    void broadcastPublisher(Room& room, const Participant& p, Effects& out);
    Participant* participantOf(SessionId s);
    bool mediaReady() const { return media_.relay && media_.sdp; }

    const RoomClass& classOf(const Room& room) const;
    JsonPtr describeFor(const Room& room, const Participant& viewer, const Participant& p) const;
    JsonPtr visibleParticipants(const Room& room, const Participant& viewer) const;
    void broadcastJoined(Room& room, const Participant& p, Effects& out);
    void broadcastLeaving(Room& room, const std::string& pid, Effects& out);
    void pushWaitingList(Room& room, Effects& out);
    void notify(Effects& out, SessionId s, JsonPtr body) const;
    void push(Effects& out, SessionId s, const std::string& tx, JsonPtr body, JsonPtr jsep = nullptr) const;
    void pushError(Effects& out, SessionId s, const std::string& tx, int code, const std::string& message) const;
    std::string newId(const char* prefix) const;

    RoomSettings settings_;
    std::shared_ptr<TokenVerifier> verifier_;
    Pseudonymizer pseudonyms_;
    VisitPublisher publisher_;
    MediaControl media_;
    uint64_t nextTicket_ = 1;
    std::map<uint64_t, std::string> starting_;                          // ticket -> room
    std::map<uint64_t, std::pair<std::string, std::string>> stopping_;  // ticket -> room, reason
    std::unordered_map<SessionId, Subscriber> subscribers_;
    uint64_t nextFeed_ = 1;
    LockoutTracker subjectLockout_;  // key: room id '\n' pseudonym
    LockoutTracker sessionLockout_;  // key: janusSessionKey()
    std::unordered_map<SessionId, uint64_t> janusSessions_;
    std::map<std::string, Room> rooms_;
    std::unordered_map<SessionId, Where> sessions_;
    std::unordered_map<SessionId, int64_t> activity_;  // every session's last request
    std::map<std::string, uint64_t> counters_;
};

}  // namespace hipaa::room
