#include "RoomView.hpp"

#include "hipaa/JsonBuilder.hpp"
#include "RoomPush.hpp"

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
    JsonPtr arr = jsonArray();
    for (const auto& [id, p] : room.participants)
        if (!p.waiting && id != viewer.id) json_array_append_new(arr.get(), describe(room, viewer, p).release());
    return arr;
}

JsonPtr RoomView::publisher(const Room& room, const Participant& viewer, const Participant& p) const {
    JsonPtr o = describe(room, viewer, p);
    JsonPtr streams = jsonArray();
    for (const auto& st : p.streams) {
        json_array_append_new(streams.get(), JsonBuilder()
                                                 .set("type", sdpTypeName(st.media.type))
                                                 .set("mindex", st.media.mindex)
                                                 .set("mid", st.media.mid)
                                                 .setIf(!st.media.codec.empty(), "codec", st.media.codec)
                                                 .setIf(!st.description.empty(), "description", st.description)
                                                 .setIf(!st.media.active, "disabled", true)
                                                 .setIf(st.screen, "screen", true)
                                                 .setIf(st.muted, "muted", true)
                                                 .build()
                                                 .release());
    }
    jsonSet(o.get(), "streams", std::move(streams));
    if (p.e2ee) jsonSet(o.get(), "e2ee", true);
    return o;
}

JsonPtr RoomView::publishers(const Room& room, const Participant& viewer) const {
    JsonPtr arr = jsonArray();
    for (const auto& [id, p] : room.participants)
        if (p.publishing && !p.waiting && id != viewer.id)
            json_array_append_new(arr.get(), publisher(room, viewer, p).release());
    return arr;
}

JsonPtr RoomView::joined(const Room& room, const Participant& p) const {
    return push::joined(room.id, p.id, p.privateId, roleName(p.role), participants(room, p),
                        state_.permissionsOf(room, p).subscribe ? publishers(room, p) : nullptr);
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
        JsonPtr list = jsonArray();
        json_array_append_new(list.get(), publisher(room, other, p).release());
        out.push_back(Effect::push(other.session, {}, push::publishers(room.id, std::move(list))));
    }
}

void RoomView::pushWaitingList(const Room& room, Effects& out) const {
    for (const auto& [id, mod] : room.participants) {
        if (mod.waiting || !state_.permissionsOf(room, mod).moderate) continue;
        JsonPtr list = jsonArray();
        for (const auto& [wid, w] : room.participants)
            if (w.waiting) json_array_append_new(list.get(), describe(room, mod, w).release());
        out.push_back(Effect::push(mod.session, {}, push::waitingList(room.id, std::move(list))));
    }
}

}  // namespace hipaa::room
