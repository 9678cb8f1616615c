// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomView.hpp"

#include "RoomPush.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <algorithm>

namespace hipaa::room {

JsonPtr RoomView::describe(const Room& room, const Participant& viewer, const Participant& p) const {
    NameVisibility nv = state_.permissionsOf(room, viewer).names;
    bool showName = nv == NameVisibility::All ||
                    (nv == NameVisibility::OwnAndProviders && (p.id == viewer.id || p.role == Role::Provider));
    return JsonBuilder()
        .set("id", p.id)
        .set("role", roleName(p.role))
        .setIf(showName && !p.name.empty(), "display", p.name)
        .build();
}

JsonPtr RoomView::participants(const Room& room, const Participant& viewer) const {
    JsonArrayBuilder arr;
    for (const auto& [id, p] : room.participants)
        if (!p.waiting && id != viewer.id) arr.push(describe(room, viewer, p));
    return std::move(arr).build();
}

JsonPtr RoomView::publisher(const Room& room, const Participant& viewer, const Participant& p) const {
    JsonArrayBuilder streams;
    for (const auto& st : p.streams)
        streams.push(JsonBuilder()
                         .set("type", sdpTypeName(st.media.type))
                         .set("mindex", st.media.mindex)
                         .set("mid", st.media.mid)
                         .setIf(!st.media.codec.empty(), "codec", st.media.codec)
                         .setIf(!st.description.empty(), "description", st.description)
                         .setIf(!st.media.active, "disabled", true)
                         .setIf(st.screen, "screen", true)
                         .setIf(st.muted, "muted", true)
                         .build());
    // The participant's public description, then what it publishes.
    return JsonBuilder(describe(room, viewer, p))
        .set("streams", std::move(streams).build())
        .setIf(p.e2ee, "e2ee", true)
        .build();
}

JsonPtr RoomView::publishers(const Room& room, const Participant& viewer) const {
    JsonArrayBuilder arr;
    for (const auto& [id, p] : room.participants)
        if (p.publishing && !p.waiting && id != viewer.id) arr.push(publisher(room, viewer, p));
    return std::move(arr).build();
}

JsonPtr RoomView::joined(const Room& room, const Participant& p, int64_t nowUs) const {
    return push::joined(room.id, p.id, p.privateId, roleName(p.role), participants(room, p),
                        state_.permissionsOf(room, p).subscribe ? publishers(room, p) : nullptr, policy(room, nowUs));
}

JsonPtr RoomView::policy(const Room& room, int64_t nowUs) const {
    const RoomClass& cls = state_.classOf(room);
    // e2ee rooms are never recorded; otherwise a recording needs every patient's consent unless the
    // class waives it.
    const char* recording = cls.e2ee ? "never" : (cls.recordConsent ? "consent" : "no_consent");
    return JsonBuilder()
        .set("recording", recording)
        .setIf(!cls.e2ee && !cls.recordingPolicy.empty(), "recording_policy", cls.recordingPolicy)
        .set("documents_kept", cls.documentsKept)  // `documents = "record"`: sealed before relayed
        .set("chat_kept", cls.chatKept)            // `chat = "record"`: every message sealed by the recorder
        .set("document_max_bytes", static_cast<int64_t>(cls.documentMaxBytes))
        .set("e2ee", cls.e2ee)
        .set("idle_timeout", cls.idleTimeoutS)
        .set("max_visit_length", cls.maxVisitS)
        .setIf(room.startedUs != 0, "visit_left",
               std::max<int64_t>(0, cls.maxVisitS - (nowUs - room.startedUs) / kUsPerSecond))
        .build();
}

void RoomView::announceJoined(const Room& room, const Participant& p, Effects& out) const {
    for (const auto& [id, other] : room.participants) {
        if (other.waiting || id == p.id) continue;
        out.push_back(Effect::push(other.session, {}, push::participantJoined(room.id, describe(room, other, p))));
    }
}

void RoomView::announceLeaving(const Room& room, const std::string& pid, Effects& out) const {
    for (const auto& [id, other] : room.participants) {
        if (other.waiting || id == pid) continue;
        out.push_back(Effect::push(other.session, {}, push::leaving(room.id, pid)));
    }
}

void RoomView::announcePublisher(const Room& room, const Participant& p, Effects& out) const {
    if (room.ended) return;
    for (const auto& [id, other] : room.participants) {
        if (other.waiting || id == p.id || !state_.permissionsOf(room, other).subscribe) continue;
        JsonPtr list = JsonArrayBuilder().push(publisher(room, other, p)).build();
        out.push_back(Effect::push(other.session, {}, push::publishers(room.id, std::move(list))));
    }
}

void RoomView::pushWaitingList(const Room& room, Effects& out) const {
    for (const auto& [id, mod] : room.participants) {
        if (mod.waiting || !state_.permissionsOf(room, mod).moderate) continue;
        JsonArrayBuilder list;
        for (const auto& [wid, w] : room.participants)
            if (w.waiting) list.push(describe(room, mod, w));
        out.push_back(Effect::push(mod.session, {}, push::waitingList(room.id, std::move(list).build())));
    }
}

}  // namespace hipaa::room
