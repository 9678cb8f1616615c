// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The consult rooms behind one Janus plugin: parses each client request, checks it once against the
// PermissionTable and hands it to the part that owns it (Admission, Departures, Notes, RecordingFlow,
// Publishing, Subscriptions; RoomAdmin for the Admin API), all sharing one RoomState.
// Single-threaded by contract (RoomPlugin serializes every call under one mutex); it never calls
// Janus or the recorder: every outcome comes back as Effects. Times are microseconds since the
// epoch, passed in so tests control the clock.
#include "Admission.hpp"
#include "Departures.hpp"
#include "Effect.hpp"
#include "Lockouts.hpp"
#include "MediaControl.hpp"
#include "Notes.hpp"
#include "Publishing.hpp"
#include "RecordingFlow.hpp"
#include "RoomAdmin.hpp"
#include "RoomSettings.hpp"
#include "RoomState.hpp"
#include "RoomView.hpp"
#include "Subscriptions.hpp"
#include "TokenVerifier.hpp"
#include "VisitPublisher.hpp"

#include "hipaa/Pseudonymizer.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hipaa::room {

class RoomService {
public:
    RoomService(RoomSettings settings, const std::shared_ptr<TokenVerifier>& verifier, Pseudonymizer pseudonyms,
                VisitPublisher publisher, MediaControl media = {});

    // A Janus handle was attached: `janusSession` is the Janus API session (one per janus.js `new
    // Janus()`, i.e. per browser tab) it belongs to, 0 when the host cannot tell (then the handle
    // counts as its own session). Subscriber handles must share their owner's; rate limits count per it.
    void sessionCreated(SessionId session, uint64_t janusSession) { lockouts_.attached(session, janusSession); }
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
    // Timeouts: idle, token expiry, maximum visit length; and the `chat` audit summaries.
    Effects tick(int64_t nowUs);
    // The outcome of a StartRecording / StopRecording effect (`ids`: the recorder's recordings sealed).
    Effects recordingStarted(uint64_t ticket, bool ok) { return recording_.started(ticket, ok); }
    Effects recordingStopped(uint64_t ticket, const std::vector<std::string>& ids, bool ok) {
        return recording_.stopped(ticket, ids, ok);
    }
    // Data channel messages from a handle that publishes no data stream (the relay drops them): when it
    // is a participant in the waiting room, refused 484 and recorded (a PHI-free `chat` or `document`
    // event with outcome refused). `document`: the message was a document frame.
    Effects dataWhileWaiting(SessionId session, bool document, uint64_t messages);
    // The room's kept chat cannot be kept (`reason` no_keeper: the keeper did not start; keeper_failed).
    Effects chatUnkept(const std::string& room, const std::string& reason) {
        return recording_.chatUnkept(room, reason);
    }
    // The recorder's answer to a StopChat effect (`recording`: the kept chat it sealed, "" for none); an
    // ended visit waiting for it is published (VisitEnded.keptRecordings).
    Effects chatSealed(uint64_t ticket, const std::string& recording);
    // Admin API message_plugin (except plugin `info` and `reload_keys`, answered by RoomPlugin).
    JsonPtr admin(const json_t* request, int64_t nowUs, Effects& out) { return admin_.handle(request, nowUs, out); }
    // A revocation some instance stored in the shared store (RevocationListener): ends the live
    // sessions it names here.
    Effects sharedRevocation(const SharedTokenState::Revocation& revocation, int64_t nowUs) {
        Effects out;
        admin_.sharedRevocation(revocation, nowUs, out);
        return out;
    }
    // Rooms from the .jcfg.
    void createRoom(const std::string& id, const std::string& className, const std::string& description,
                    int64_t nowUs) {
        state_.createRoom(id, className, description, nowUs);
    }
    size_t roomCount() const { return state_.rooms.size(); }
    bool hasRoom(const std::string& id) const { return state_.rooms.contains(id); }
    // A room here whose visit has not ended.
    // Cluster: a message naming a room another instance hosts (of class `className` there). A publisher
    // join from a new handle is checked as a join here would be, without spending its token (Admission::
    // vouch): Redirect = authentic and unspent, the caller names the host (469); Refused = answered in
    // `out`. Anything else (a subscriber join, a handle already in a room) is Other: handle() answers it.
    enum class Vouch { Redirect, Refused, Other };
    Vouch vouchForRedirect(SessionId session, const std::string& transaction, const json_t* message,
                           const std::string& className, int64_t nowUs, Effects& out);
    bool hasLiveRoom(const std::string& id) const {
        auto it = state_.rooms.find(id);
        return it != state_.rooms.end() && !it->second.ended;
    }
    size_t sessionCount() const { return state_.participants.size(); }

private:
    // Members in dependency order: each part refers only to those declared before it.
    RoomState state_;
    RoomView view_;
    Lockouts lockouts_;
    RecordingFlow recording_;
    Publishing publishing_;
    Subscriptions subscriptions_;
    Departures departures_;
    Admission admission_;
    Notes notes_;
    RoomAdmin admin_;
};

}  // namespace hipaa::room
