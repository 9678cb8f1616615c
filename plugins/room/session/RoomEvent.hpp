// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every PHI-free event the room emits for the event handlers (notify_event; the audit trail stores
// them), one function per shape (docs/room.md, "PHI-free events"): {"event": name, "room": id, ...}.
// People appear only as pseudonyms (`participant`, `by`); `room` "" leaves the room out (a refusal
// that named no existing room: client strings are never echoed).
#include "Role.hpp"

#include "hipaa/Json.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hipaa::room::event {

// ---- rooms and visits ----
JsonPtr roomCreated(const std::string& room, const std::string& className);
JsonPtr roomDestroyed(const std::string& room);
JsonPtr visitEnded(const std::string& room, const std::string& reason, uint64_t participants, int64_t durationS,
                   uint64_t published, uint64_t publishRefused);
JsonPtr revoked(const char* by, uint64_t sessionsEnded);
JsonPtr auditUnavailable(const std::string& room, const char* request, const std::string& reason);
// The room directory ended a visit of `instance` that did not end it itself: `detectedBy` restart (its
// own earlier run) or heartbeat_timeout (another instance stopped heartbeating); `by` who noticed.
JsonPtr visitEndedAbnormally(const std::string& room, const std::string& instance, const char* detectedBy,
                             const std::string& by);
// A room `instance` hosts that another instance had ended (a database outage longer than dead_after):
// registered again, or (conflict) live on `other` too.
JsonPtr roomReregistered(const std::string& room, const std::string& instance);
JsonPtr roomConflict(const std::string& room, const std::string& instance, const std::string& other);

// ---- joining and leaving ----
JsonPtr joinAccepted(const std::string& room, const std::string& participant, Role role, const std::string& alg,
                     bool waiting);
// `participant` only when the token was authentic.
JsonPtr joinRefused(const std::string& room, int code, const std::string& reason, const std::string& participant);
JsonPtr subjectLockout(const std::string& room, const std::string& participant, int failures, int64_t windowS,
                       int64_t lockS);
JsonPtr sessionLockout(int failures, int64_t windowS, int64_t lockS);
// A moderator's decision on `participant`: admitted, denied, sent_to_waiting or kicked.
JsonPtr decision(const char* name, const std::string& room, const std::string& participant, Role role,
                 const std::string& by);
JsonPtr left(const std::string& room, const std::string& participant, const std::string& reason);
JsonPtr roleDenied(const std::string& room, const std::string& participant, Role role, const std::string& request);
// A note's metadata (never its text): accepted (`note` its id) or refused (`subscribers` who took it).
JsonPtr noteSubmitted(const std::string& room, const std::string& participant, uint64_t bytes, const std::string& type,
                      const std::string& note);
JsonPtr noteRefused(const std::string& room, const std::string& participant, uint64_t bytes, const std::string& type,
                    uint64_t subscribers);

// ---- recording ----
JsonPtr recordConsentRequested(const std::string& room, const std::string& by, uint64_t asked);
// `participant` "" for a cancellation (`outcome` is then its reason).
JsonPtr recordConsent(const std::string& room, const std::string& participant, const std::string& outcome);
JsonPtr recordingStarted(const std::string& room, const std::string& by, uint64_t consents);
JsonPtr recordingStopped(const std::string& room, const std::string& reason, const std::vector<std::string>& ids);
// The recorder refused `record` (`by`: who asked, "" when gone).
JsonPtr recordingRefusedByRecorder(const std::string& room, const std::string& by);
// A part of a running recording failed (`recording`: the recorder's id, or "").
JsonPtr recordingPartFailed(const std::string& room, const std::string& reason, const std::string& recording);
// The room's kept chat (and documents) cannot be kept: `reason` no_keeper or keeper_failed.
JsonPtr chatUnkept(const std::string& room, const std::string& reason);
JsonPtr recordingRefused(const std::string& room, const std::string& by, const char* reason);

// ---- media ----
// `streams`: [{type, codec?, screen?}] of the active streams.
JsonPtr published(const std::string& room, bool republished, const std::string& participant, JsonPtr streams,
                  bool e2ee);
JsonPtr unpublished(const std::string& room, const std::string& participant);
JsonPtr screenShare(const std::string& room, bool started, const std::string& participant, Role role);
// `by` "" when the participant muted itself.
JsonPtr muted(const std::string& room, bool muted, const std::string& participant, const char* type,
              const std::string& mid, bool screen, const std::string& by);
JsonPtr subscribed(const std::string& room, const std::string& participant, uint64_t streams);
JsonPtr subscribeRefused(const std::string& room, int code, const char* reason);
// A document shared in a visit (DocumentDesk): who, its type, size and SHA-256 (hex); never its name or
// content. A refused one: the code and reason slug (docs/error-codes.md 480-486).
JsonPtr documentShared(const std::string& room, const std::string& participant, const std::string& role,
                       const char* type, uint64_t bytes, const std::string& sha256, uint64_t recipients);
JsonPtr documentRefused(const std::string& room, const std::string& participant, const std::string& role, int code,
                        const std::string& reason);
// A chat message refused (484 from someone waiting): who and why, never the text.
JsonPtr chatRefused(const std::string& room, const std::string& participant, const std::string& role, int code,
                    const std::string& reason);
JsonPtr chat(const std::string& room, const std::string& participant, Role role, uint64_t messages, uint64_t bytes,
             uint64_t recipients, uint64_t dropped, int64_t timeUs);
JsonPtr slowLink(const std::string& room, const std::string& participant, const char* direction, const char* media,
                 const char* handle);

}  // namespace hipaa::room::event
