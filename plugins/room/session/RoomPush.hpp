// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every event the room pushes to a client (answers and unsolicited events), one function per shape
// (docs/room.md). Each carries its kind under "hipaa.room" and, for clients written for
// janus.plugin.videoroom, under "videoroom" too. `room` is the room id the client joined.
#include "hipaa/Json.hpp"

#include <cstdint>
#include <string>

namespace hipaa::room::push {

// {"error_code", "error"}: every refusal.
JsonPtr error(int code, const std::string& message);

// ---- participants ----
// The join answer (also pushed on admission). `publishers`: null for roles that may not subscribe.
// `policy`: the visit's rules (RoomView::policy), what the client tells its user before and during it.
JsonPtr joined(const std::string& room, const std::string& id, uint64_t privateId, const char* role,
               JsonPtr participants, JsonPtr publishers, JsonPtr policy);
// The join answer while waiting, and the push to someone sent back: nothing about anyone else (the
// visit's rules are about no one).
JsonPtr waiting(const std::string& room, const std::string& id, JsonPtr policy);
JsonPtr left(const std::string& room);
// `participants`: null while waiting (someone waiting sees nobody, not even a count).
JsonPtr participants(const std::string& room, JsonPtr participants);
// Before a handle is hung up.
JsonPtr ended(const std::string& room, const std::string& reason);
// To admitted participants: someone was admitted / left; to moderators: the whole waiting list.
JsonPtr participantJoined(const std::string& room, JsonPtr participant);
JsonPtr leaving(const std::string& room, const std::string& id);
JsonPtr waitingList(const std::string& room, JsonPtr list);

// ---- answers {"result": ...} ----
// admitted, denied, sent_to_waiting, kicked (with the target's `id`), ended, consent_requested,
// recording_started, recording_stopped, recording_cancelled (no id).
JsonPtr result(const std::string& room, const char* result, const std::string& id = {});
JsonPtr noteSubmitted(const std::string& room, const std::string& note, uint64_t bytes);
JsonPtr consentRecorded(const std::string& room, bool consent);
// A moderator's mute answer (`mid` "" = all of the target's audio and video) and what the target is told.
JsonPtr moderated(const std::string& room, bool muted, const std::string& id, const std::string& mid);
JsonPtr moderation(const std::string& room, bool muted, const std::string& mid);

// ---- recording ----
// {"recording": started | stopped | failed | not_started, "reason"?}
JsonPtr recording(const std::string& room, const char* state, const std::string& reason = {});
// The class keeps chat or documents and they cannot be kept now (`reason` no_keeper, keeper_failed):
// kept messages and documents are not relayed until a keeper runs again.
JsonPtr chatUnkept(const std::string& room, const std::string& reason);
// A recording request to a patient (`by`: the provider's participant id, "" when unknown).
JsonPtr consentRequest(const std::string& room, const std::string& by);
JsonPtr consentRequestCancelled(const std::string& room);

// ---- documents ----
// To the sender of a shared document the room refused (480-486, docs/room.md "Documents"): nested, so
// that no pending request of that handle takes it for its own error answer.
JsonPtr documentRefused(const std::string& room, int code, const std::string& reason);

// ---- media ----
// {"configured" | "started" | "paused" | "unpublished" | "left": "ok"}
JsonPtr ok(const std::string& room, const char* key);
// A publish/configure answer with the publication's streams.
JsonPtr configured(const std::string& room, JsonPtr streams);
JsonPtr publishers(const std::string& room, JsonPtr list);
JsonPtr unpublished(const std::string& room, const std::string& id);
// A subscriber handle's offer: `kind` attached or updated.
JsonPtr subscriberStreams(const char* kind, const std::string& room, JsonPtr streams);
// A subscriber's `configure` answer that comes with a new offer (ICE restart): VideoRoom's
// {"configured": "ok"} plus the streams.
JsonPtr configuredWithOffer(const std::string& room, JsonPtr streams);
JsonPtr slowLink(const std::string& room, const char* direction, const char* media);
// The JSEP of a push: an answer to a publisher's offer, or a subscriber handle's offer. `restart`:
// Janus' core gives the offer new ICE credentials (a subscriber's ICE restart).
JsonPtr jsep(const char* type, const std::string& sdp, bool e2ee, bool restart = false);

}  // namespace hipaa::room::push
