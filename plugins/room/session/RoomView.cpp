// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomView.hpp"

#include "RoomPush.hpp"
#include "hipaa/JsonBuilder.hpp"

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

JsonPtr RoomView::joined(const Room& room, const Participant& p) const {
    return push::joined(room.id, p.id, p.privateId, roleName(p.role), participants(room, p),
                        state_.permissionsOf(room, p).subscribe ? publishers(room, p) : nullptr,
                        state_.classOf(room).chatKept);
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
