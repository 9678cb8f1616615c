// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomPush.hpp"

#include "hipaa/JsonBuilder.hpp"

namespace hipaa::room::push {
namespace {

JsonBuilder envelope(const char* kind) { return JsonBuilder().set("hipaa.room", kind).set("videoroom", kind); }

JsonBuilder event(const std::string& room) { return envelope("event").set("room", room); }

}  // namespace

JsonPtr error(int code, const std::string& message) {
    return envelope("event").set("error_code", code).set("error", message).build();
}

JsonPtr joined(const std::string& room, const std::string& id, uint64_t privateId, const char* role,
               JsonPtr participants, JsonPtr publishers, JsonPtr policy) {
    return envelope("joined")
        .set("room", room)
        .set("id", id)
        .set("private_id", privateId)
        .set("role", role)
        .set("participants", std::move(participants))
        .setIf(publishers != nullptr, "publishers", std::move(publishers))
        .set("policy", std::move(policy))
        .build();
}

JsonPtr waiting(const std::string& room, const std::string& id, JsonPtr policy) {
    return envelope("waiting").set("room", room).set("id", id).set("policy", std::move(policy)).build();
}

JsonPtr left(const std::string& room) { return envelope("left").set("room", room).build(); }

JsonPtr participants(const std::string& room, JsonPtr list) {
    return envelope("participants").set("room", room).setIf(list != nullptr, "participants", std::move(list)).build();
}

JsonPtr ended(const std::string& room, const std::string& reason) {
    return envelope("ended").set("room", room).set("reason", reason).build();
}

JsonPtr participantJoined(const std::string& room, JsonPtr participant) {
    return event(room).set("joined", std::move(participant)).build();
}

JsonPtr leaving(const std::string& room, const std::string& id) { return event(room).set("leaving", id).build(); }

JsonPtr waitingList(const std::string& room, JsonPtr list) {
    return event(room).set("waiting", std::move(list)).build();
}

JsonPtr result(const std::string& room, const char* result, const std::string& id) {
    return event(room).set("result", result).setIf(!id.empty(), "id", id).build();
}

JsonPtr noteSubmitted(const std::string& room, const std::string& note, uint64_t bytes) {
    return event(room).set("result", "note_submitted").set("note", note).set("bytes", bytes).build();
}

JsonPtr consentRecorded(const std::string& room, bool consent) {
    return event(room).set("result", "consent_recorded").set("consent", consent).build();
}

JsonPtr moderated(const std::string& room, bool muted, const std::string& id, const std::string& mid) {
    return event(room).set("result", muted ? "muted" : "unmuted").set("id", id).setIf(!mid.empty(), "mid", mid).build();
}

JsonPtr moderation(const std::string& room, bool muted, const std::string& mid) {
    return event(room).set("moderation", muted ? "muted" : "unmuted").setIf(!mid.empty(), "mid", mid).build();
}

JsonPtr documentRefused(const std::string& room, int code, const std::string& reason) {
    return event(room)
        .set("document", JsonBuilder().set("outcome", "refused").set("error_code", code).set("reason", reason).build())
        .build();
}

JsonPtr recording(const std::string& room, const char* state, const std::string& reason) {
    return event(room).set("recording", state).setIf(!reason.empty(), "reason", reason).build();
}

JsonPtr chatUnkept(const std::string& room, const std::string& reason) {
    return event(room).set("chat_kept", false).set("reason", reason).build();
}

JsonPtr consentRequest(const std::string& room, const std::string& by) {
    return event(room).set("consent_request", "record").setIf(!by.empty(), "by", by).build();
}

JsonPtr consentRequestCancelled(const std::string& room) {
    return event(room).set("consent_request", "cancelled").build();
}

JsonPtr ok(const std::string& room, const char* key) { return event(room).set(key, "ok").build(); }

JsonPtr configured(const std::string& room, JsonPtr streams) {
    return event(room).set("configured", "ok").set("streams", std::move(streams)).build();
}

JsonPtr publishers(const std::string& room, JsonPtr list) {
    return event(room).set("publishers", std::move(list)).build();
}

JsonPtr unpublished(const std::string& room, const std::string& id) {
    return event(room).set("unpublished", id).build();
}

JsonPtr subscriberStreams(const char* kind, const std::string& room, JsonPtr streams) {
    return envelope(kind).set("room", room).set("streams", std::move(streams)).build();
}

JsonPtr configuredWithOffer(const std::string& room, JsonPtr streams) {
    return event(room).set("configured", "ok").set("streams", std::move(streams)).build();
}

JsonPtr slowLink(const std::string& room, const char* direction, const char* media) {
    return event(room).set("slow_link", JsonBuilder().set("direction", direction).set("media", media).build()).build();
}

JsonPtr jsep(const char* type, const std::string& sdp, bool e2ee, bool restart) {
    return JsonBuilder()
        .set("type", type)
        .set("sdp", sdp)
        .setIf(e2ee, "e2ee", true)
        .setIf(restart, "restart", true)
        .build();
}

}  // namespace hipaa::room::push
