#pragma once
// The consult rooms' state machine: joins (token verification, lockout), the waiting room, roles,
// moderation, notes, visit end, timeouts, revocation and the Admin API. Single-threaded by contract
// (RoomPlugin serializes every call under one mutex); it never calls Janus, it returns Effects.
// Times are microseconds since the epoch, passed in so tests control the clock.
#include "Effect.hpp"
#include "LockoutTracker.hpp"
#include "RoomClass.hpp"
#include "RoomRequest.hpp"
#include "TokenVerifier.hpp"

#include "hipaa/Pseudonymizer.hpp"
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
    int lockoutFailures = 10;
    int64_t lockoutWindowS = 300, lockoutS = 300;
};

// The VisitBus seam (tests count or refuse publications).
struct VisitPublisher {
    std::function<VisitBus::PublishResult(NoteSubmitted)> note;
    std::function<VisitBus::PublishResult(VisitEnded)> ended;
    static VisitPublisher bus();
};

// The recording seam (RoomPlugin: a RecordingTap per room feeding the recorder; tests: fakes).
// start throws Error when recording cannot start; stop returns the recorder's recording ids.
struct RecordingControl {
    std::function<void(const std::string& room, const std::string& policy)> start;
    std::function<std::vector<std::string>(const std::string& room)> stop;
};

class RoomService {
public:
    RoomService(RoomSettings settings, std::shared_ptr<TokenVerifier> verifier, Pseudonymizer pseudonyms,
                VisitPublisher publisher, RecordingControl recording = {});

    // A client request; every outcome (answers included) comes back as effects.
    Effects handle(SessionId session, const std::string& transaction, const json_t* message, int64_t nowUs);
    // The Janus handle went away (hangup, detach, end_session): leave without pushing to it.
    Effects sessionGone(SessionId session, int64_t nowUs);
    // Timeouts: idle, token expiry, maximum visit length.
    Effects tick(int64_t nowUs);
    // Admin API message_plugin (except plugin `info` and `reload_keys`, answered by RoomPlugin).
    JsonPtr admin(const json_t* request, int64_t nowUs, Effects& out);
    // Rooms from the .jcfg.
    void createRoom(const std::string& id, const std::string& className, const std::string& description, int64_t nowUs);
    size_t roomCount() const { return rooms_.size(); }
    size_t sessionCount() const { return sessions_.size(); }

private:
    struct Participant {
        std::string id, pseudonym, name, sub, jti;
        SessionId session = 0;
        Role role = Role::Patient;
        FhirContext fhir;
        bool waiting = true;
        int64_t joinedUs = 0, lastActivityUs = 0, expS = 0;
        size_t historyIndex = 0;
    };
    struct Room {
        std::string id, className, description, visitId;  // description is PHI: never emitted
        int64_t createdUs = 0, startedUs = 0, endedUs = 0;
        bool ended = false;
        std::map<std::string, Participant> participants;  // by participant id
        std::vector<VisitParticipant> history;
        FhirContext fhir;
        // Recording: a provider's request waits for every asked patient's consent.
        bool recording = false, consentPending = false;
        std::string requestedBy;                    // participant id of the provider who asked
        std::set<std::string> asked, consented;     // participant ids
    };
    struct Where {
        std::string room, participant;
    };

    void join(SessionId s, const std::string& tx, const RoomRequest& r, int64_t now, Effects& out);
    void moderate(SessionId s, const std::string& tx, const RoomRequest& r, Room& room, Participant& me, int64_t now,
                  Effects& out);
    void note(SessionId s, const std::string& tx, const RoomRequest& r, Room& room, Participant& me, int64_t now,
              Effects& out);
    void record(SessionId s, const std::string& tx, const RoomRequest& r, Room& room, Participant& me, int64_t now,
                Effects& out);
    void consent(SessionId s, const std::string& tx, const RoomRequest& r, Room& room, Participant& me, Effects& out);
    // Starts the recorder; errors go to `errorSession` (the requesting provider) as 454.
    bool startRecording(Room& room, SessionId errorSession, const std::string& tx, const std::string& by, Effects& out);
    void stopRecording(Room& room, const std::string& reason, Effects& out);
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

    const RoomClass& classOf(const Room& room) const;
    JsonPtr describeFor(const Room& room, const Participant& viewer, const Participant& p) const;
    JsonPtr visibleParticipants(const Room& room, const Participant& viewer) const;
    void broadcastJoined(Room& room, const Participant& p, Effects& out);
    void broadcastLeaving(Room& room, const std::string& pid, Effects& out);
    void pushWaitingList(Room& room, Effects& out);
    void notify(Effects& out, SessionId s, JsonPtr body) const;
    JsonPtr event(const char* name, const Room* room) const;
    void push(Effects& out, SessionId s, const std::string& tx, JsonPtr body) const;
    void pushError(Effects& out, SessionId s, const std::string& tx, int code, const std::string& message) const;
    std::string newId(const char* prefix) const;

    RoomSettings settings_;
    std::shared_ptr<TokenVerifier> verifier_;
    Pseudonymizer pseudonyms_;
    VisitPublisher publisher_;
    RecordingControl recordingControl_;
    LockoutTracker lockout_;
    std::map<std::string, Room> rooms_;
    std::unordered_map<SessionId, Where> sessions_;
    std::unordered_map<SessionId, int64_t> activity_;  // every session's last request
    std::map<std::string, uint64_t> counters_;
};

}  // namespace hipaa::room
