// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomEvent.hpp"

#include "hipaa/JsonBuilder.hpp"

namespace hipaa::room::event {
namespace {

JsonBuilder named(const char* name, const std::string& room) {
    return JsonBuilder().set("event", name).setIf(!room.empty(), "room", room);
}

// A `chat` or `document` event of one refused data channel message: who and why, never the content.
JsonPtr dataRefused(const char* name, const std::string& room, const std::string& participant, const std::string& role,
                    int code, const std::string& reason) {
    return named(name, room)
        .set("participant", participant)
        .set("role", role)
        .set("outcome", "refused")
        .set("error_code", code)
        .set("reason", reason)
        .build();
}

}  // namespace

JsonPtr roomCreated(const std::string& room, const std::string& className) {
    return named("room_created", room).set("class", className).build();
}

JsonPtr roomDestroyed(const std::string& room) { return named("room_destroyed", room).build(); }

JsonPtr visitEnded(const std::string& room, const std::string& reason, uint64_t participants, int64_t durationS,
                   uint64_t published, uint64_t publishRefused) {
    return named("visit_ended", room)
        .set("reason", reason)
        .set("participants", participants)
        .set("duration_s", durationS)
        .set("published", published)
        .set("publish_refused", publishRefused)
        .build();
}

JsonPtr revoked(const char* by, uint64_t sessionsEnded) {
    return named("revoked", {}).set("by", by).set("sessions_ended", sessionsEnded).build();
}

JsonPtr auditUnavailable(const std::string& room, const char* request, const std::string& reason) {
    return named("audit_unavailable", room).set("request", request).set("reason", reason).build();
}

JsonPtr visitEndedAbnormally(const std::string& room, const std::string& instance, const char* detectedBy,
                             const std::string& by) {
    return named("visit_ended_abnormally", room)
        .set("instance", instance)
        .set("detected_by", detectedBy)
        .set("by_instance", by)
        .build();
}

JsonPtr roomReregistered(const std::string& room, const std::string& instance) {
    return named("room_reregistered", room).set("instance", instance).build();
}

JsonPtr roomConflict(const std::string& room, const std::string& instance, const std::string& other) {
    return named("room_conflict", room).set("instance", instance).set("other_instance", other).build();
}

JsonPtr joinAccepted(const std::string& room, const std::string& participant, Role role, const std::string& alg,
                     bool waiting) {
    return named("join", room)
        .set("outcome", "accepted")
        .set("participant", participant)
        .set("role", roleName(role))
        .set("alg", alg)
        .set("state", waiting ? "waiting" : "admitted")
        .build();
}

JsonPtr joinRefused(const std::string& room, int code, const std::string& reason, const std::string& participant) {
    return named("join", room)
        .set("outcome", "refused")
        .set("error_code", code)
        .set("reason", reason)
        .setIf(!participant.empty(), "participant", participant)
        .build();
}

JsonPtr subjectLockout(const std::string& room, const std::string& participant, int failures, int64_t windowS,
                       int64_t lockS) {
    return named("lockout", room)
        .set("scope", "subject")
        .set("participant", participant)
        .set("failures", failures)
        .set("window_s", windowS)
        .set("lock_s", lockS)
        .build();
}

JsonPtr sessionLockout(int failures, int64_t windowS, int64_t lockS) {
    return named("lockout", {})
        .set("scope", "session")
        .set("failures", failures)
        .set("window_s", windowS)
        .set("lock_s", lockS)
        .build();
}

JsonPtr decision(const char* name, const std::string& room, const std::string& participant, Role role,
                 const std::string& by) {
    return named(name, room).set("participant", participant).set("role", roleName(role)).set("by", by).build();
}

JsonPtr left(const std::string& room, const std::string& participant, const std::string& reason) {
    return named("left", room).set("participant", participant).set("reason", reason).build();
}

JsonPtr roleDenied(const std::string& room, const std::string& participant, Role role, const std::string& request) {
    return named("role_denied", room)
        .set("participant", participant)
        .set("role", roleName(role))
        .set("request", request)
        .build();
}

JsonPtr noteSubmitted(const std::string& room, const std::string& participant, uint64_t bytes, const std::string& type,
                      const std::string& note) {
    return named("note", room)
        .set("participant", participant)
        .set("bytes", bytes)
        .set("type", type)
        .set("outcome", "submitted")
        .set("note", note)
        .build();
}

JsonPtr noteRefused(const std::string& room, const std::string& participant, uint64_t bytes, const std::string& type,
                    uint64_t subscribers) {
    return named("note", room)
        .set("participant", participant)
        .set("bytes", bytes)
        .set("type", type)
        .set("outcome", "refused")
        .set("subscribers", subscribers)
        .build();
}

JsonPtr recordConsentRequested(const std::string& room, const std::string& by, uint64_t asked) {
    return named("record_consent_requested", room).set("by", by).set("asked", asked).build();
}

JsonPtr recordConsent(const std::string& room, const std::string& participant, const std::string& outcome) {
    return named("record_consent", room)
        .setIf(!participant.empty(), "participant", participant)
        .set("outcome", outcome)
        .build();
}

JsonPtr recordingStarted(const std::string& room, const std::string& by, uint64_t consents) {
    return named("recording_started", room).set("by", by).set("consents", consents).build();
}

JsonPtr recordingStopped(const std::string& room, const std::string& reason, const std::vector<std::string>& ids) {
    // The recorder's ids (random, PHI-free) tie the visit's trail to the recordings' own events
    // (export, deletion receipts).
    JsonArrayBuilder list;
    for (const auto& id : ids) list.push(id);
    return named("recording_stopped", room)
        .set("reason", reason)
        .set("recordings", static_cast<uint64_t>(ids.size()))
        .set("recording_ids", std::move(list).build())
        .build();
}

JsonPtr recordingRefusedByRecorder(const std::string& room, const std::string& by) {
    return named("recording_failed", room).set("by", by).build();
}

JsonPtr chatUnkept(const std::string& room, const std::string& reason) {
    return named("chat_unkept", room).set("reason", reason).build();
}

JsonPtr recordingPartFailed(const std::string& room, const std::string& reason, const std::string& recording) {
    return named("recording_failed", room)
        .set("reason", reason)
        .setIf(!recording.empty(), "recording_id", recording)
        .build();
}

JsonPtr recordingRefused(const std::string& room, const std::string& by, const char* reason) {
    return named("recording_refused", room).set("by", by).set("reason", reason).build();
}

JsonPtr published(const std::string& room, bool republished, const std::string& participant, JsonPtr streams,
                  bool e2ee) {
    return named(republished ? "republished" : "published", room)
        .set("participant", participant)
        .set("streams", std::move(streams))
        .setIf(e2ee, "e2ee", true)
        .build();
}

JsonPtr unpublished(const std::string& room, const std::string& participant) {
    return named("unpublished", room).set("participant", participant).build();
}

JsonPtr screenShare(const std::string& room, bool started, const std::string& participant, Role role) {
    return named(started ? "screen_share_started" : "screen_share_stopped", room)
        .set("participant", participant)
        .set("role", roleName(role))
        .build();
}

JsonPtr muted(const std::string& room, bool muted, const std::string& participant, const char* type,
              const std::string& mid, bool screen, const std::string& by) {
    return named(muted ? "muted" : "unmuted", room)
        .set("participant", participant)
        .set("type", type)
        .set("mid", mid)
        .setIf(screen, "screen", true)
        .setIf(!by.empty(), "by", by)
        .build();
}

JsonPtr subscribed(const std::string& room, const std::string& participant, uint64_t streams) {
    return named("subscribed", room).set("participant", participant).set("streams", streams).build();
}

JsonPtr subscribeRefused(const std::string& room, int code, const char* reason) {
    return named("subscribe", room).set("outcome", "refused").set("error_code", code).set("reason", reason).build();
}

JsonPtr chat(const std::string& room, const std::string& participant, Role role, uint64_t messages, uint64_t bytes,
             uint64_t recipients, uint64_t dropped, int64_t timeUs) {
    return named("chat", room)
        .set("participant", participant)
        .set("role", roleName(role))
        .set("messages", messages)
        .set("bytes", bytes)
        .set("recipients", recipients)
        .setIf(dropped > 0, "dropped", dropped)
        .set("time_us", timeUs)
        .build();
}

JsonPtr documentShared(const std::string& room, const std::string& participant, const std::string& role,
                       const char* type, uint64_t bytes, const std::string& sha256, uint64_t recipients) {
    return named("document_shared", room)
        .set("participant", participant)
        .set("role", role)
        .set("type", type)
        .set("bytes", bytes)
        .set("sha256", sha256)
        .set("recipients", recipients)
        .build();
}

JsonPtr chatRefused(const std::string& room, const std::string& participant, const std::string& role, int code,
                    const std::string& reason) {
    return dataRefused("chat", room, participant, role, code, reason);
}

JsonPtr documentRefused(const std::string& room, const std::string& participant, const std::string& role, int code,
                        const std::string& reason) {
    return dataRefused("document", room, participant, role, code, reason);
}

JsonPtr slowLink(const std::string& room, const std::string& participant, const char* direction, const char* media,
                 const char* handle) {
    return named("slow_link", room)
        .set("participant", participant)
        .set("direction", direction)
        .set("media", media)
        .set("handle", handle)
        .build();
}

}  // namespace hipaa::room::event
