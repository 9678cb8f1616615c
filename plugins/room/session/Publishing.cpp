// SPDX-License-Identifier: GPL-3.0-or-later
#include "Publishing.hpp"

#include "PermissionTable.hpp"
#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <algorithm>

namespace hipaa::room {
namespace {

bool isAv(const SdpMedia& m) { return m.type == SdpMedia::Type::Audio || m.type == SdpMedia::Type::Video; }

bool screenShared(const std::vector<Participant::Stream>& streams) {
    return std::any_of(streams.begin(), streams.end(), [](const auto& st) { return st.screen && st.media.active; });
}

}  // namespace

bool Publishing::ready(const Reply& reply) const {
    if (media_.ready()) return true;
    reply.error(errc::kNotImplemented, "media is not available in this room plugin");
    return false;
}

void Publishing::publish(const Reply& reply, const PublishRequest& request, const json_t* jsep, Room& room,
                         Participant& me) {
    if (ready(reply)) offer(reply, PublishRequest::kName, request, jsep, room, me);
}

void Publishing::configure(const Reply& reply, const ConfigureRequest& request, const json_t* jsep, Room& room,
                           Participant& me) {
    if (!ready(reply)) return;
    // A publisher restarts ICE with its own offer (new credentials; Janus' core restarts its side).
    if (request.restart == 1 && !jsep)
        return reply.error(errc::kInvalidSdp, "restart needs a JSEP offer with ICE restart from a publisher");
    if (jsep)
        offer(reply, ConfigureRequest::kName, request, jsep, room, me, request.restart == 1);
    else
        mute(reply, request, room, me);
}

void Publishing::unpublish(const Reply& reply, Room& room, Participant& me) {
    if (!ready(reply)) return;
    if (!me.publishing) return reply.error(errc::kNotPublishing, "not publishing");
    stop(room, me, true, reply.transaction, reply.nowUs, reply.out);
}

void Publishing::offer(const Reply& reply, const char* request, const MediaSettings& settings, const json_t* jsep,
                       Room& room, Participant& me, bool restart) {
    const RoomClass& cls = state_.classOf(room);
    const char* type = jsep ? json_string_value(json_object_get(jsep, "type")) : nullptr;
    const char* sdp = jsep ? json_string_value(json_object_get(jsep, "sdp")) : nullptr;
    if (!type || std::string_view(type) != "offer" || !sdp)
        return reply.error(errc::kInvalidSdp, std::string(request) + " needs a JSEP offer");
    bool e2ee = json_is_true(json_object_get(jsep, "e2ee"));
    if (cls.e2ee != e2ee)
        return reply.error(errc::kE2eeRequired,
                           cls.e2ee ? "this room is end-to-end encrypted: publish with insertable streams (e2ee)"
                                    : "this room is not end-to-end encrypted: publish without e2ee");
    if (!me.publishing) {
        auto n = std::count_if(room.participants.begin(), room.participants.end(),
                               [](const auto& entry) { return entry.second.publishing; });
        if (n >= cls.publishers) return reply.error(errc::kTooManyPublishers, "the room has its maximum of publishers");
    }
    SdpPolicy policy;
    policy.videoBitrateBps = cls.bitrate;
    policy.videoCodecs = cls.videoCodecs;
    std::vector<SdpMedia> media;
    std::string answer;
    try {
        answer = media_.sdp->answerPublisher(sdp, policy, media);
    } catch (const Error& e) {
        return reply.error(errc::kInvalidSdp, e.what());
    }
    // Mids go into events and other participants' offers: refuse the whole offer (never echo the mid).
    for (const auto& m : media)
        if (!sdpMidAcceptable(m.mid))
            return reply.error(errc::kInvalidSdp, "a=mid of m-line " + std::to_string(m.mindex) +
                                                      " must be 1 to 16 characters of A-Z a-z 0-9 _ -");
    // The new publication: what carries over from the previous one is keyed by mid.
    std::vector<Participant::Stream> streams;
    int lastNewVideo = -1;
    for (auto& m : media) {
        Participant::Stream st;
        auto prev = std::find_if(me.streams.begin(), me.streams.end(),
                                 [&](const auto& p) { return p.media.mid == m.mid && p.media.type == m.type; });
        if (prev != me.streams.end()) {
            st.screen = prev->screen;
            st.muted = prev->muted;
            st.description = prev->description;
        } else if (m.type == SdpMedia::Type::Video) {
            lastNewVideo = static_cast<int>(streams.size());
        }
        for (const auto& d : settings.descriptions)
            if (d.mid == m.mid && !d.description.empty()) st.description = d.description;
        st.media = std::move(m);
        streams.push_back(std::move(st));
    }
    // `screen: true` names the video m-line this offer adds as the screen share (janus.js adds one).
    if (settings.screen == 1 && lastNewVideo >= 0) streams[static_cast<size_t>(lastNewVideo)].screen = true;
    bool anyActive = std::any_of(streams.begin(), streams.end(), [](const auto& st) { return st.media.active; });
    bool screenBefore = screenShared(me.streams), screenNow = screenShared(streams);
    if (!anyActive) return reply.error(errc::kNoCodec, "the offer has no stream this room accepts");
    if (screenNow && !screenBefore &&
        !PermissionTable::grants(state_.permissionsOf(room, me), PermissionTable::of<PublishRequest>().toShareScreen))
        return state_.denyRole(reply, room, me, "screen_share", "your role may not share a screen");

    bool renegotiation = me.publishing;
    me.streams = std::move(streams);
    me.publishing = true;
    me.e2ee = e2ee;
    std::vector<RelayStream> relay;
    for (const auto& st : me.streams) {
        if (!st.media.active) continue;
        relay.push_back(RelayStream{st.media.mindex, st.media.type == SdpMedia::Type::Video, st.media.codec,
                                    st.media.payloadType, st.media.type == SdpMedia::Type::Data, st.muted});
    }
    // Kept chat: the keeper is asked for before the first message can arrive; until it is there the
    // relay drops what a kept publisher sends.
    if (cls.keeper()) recording_.keepChat(room, reply.out);
    media_.relay->publish(reply.session, room.id, me.feed, std::move(relay), cls.bitrate, recording_.tapped(room, me),
                          ChatSpeaker{room.id, me.pseudonym, roleName(me.role), cls.chatKept,
                                      cls.shareDocument.contains(me.role), cls.documentMaxBytes, cls.documentsKept});
    ++state_.counters[renegotiation ? "publications_renegotiated" : "publications"];
    // Counted once the offer is taken, like a subscriber's restart once its new offer is made.
    if (restart) ++state_.counters["ice_restarts"];

    JsonPtr self = view_.publisher(room, me, me);
    reply.answer(push::configured(room.id, jsonRetain(json_object_get(self.get(), "streams"))),
                 push::jsep("answer", answer, e2ee));
    view_.announcePublisher(room, me, reply.out);

    JsonArrayBuilder kinds;
    for (const auto& st : me.streams) {
        if (!st.media.active) continue;
        kinds.push(JsonBuilder()
                       .set("type", sdpTypeName(st.media.type))
                       .setIf(!st.media.codec.empty(), "codec", st.media.codec)
                       .setIf(st.screen, "screen", true)
                       .build());
    }
    reply.notify(event::published(room.id, renegotiation, me.pseudonym, std::move(kinds).build(), e2ee));
    if (screenNow != screenBefore) {
        reply.notify(event::screenShare(room.id, screenNow, me.pseudonym, me.role));
        ++state_.counters[screenNow ? "screen_shares" : "screen_shares_stopped"];
    }
}

void Publishing::mute(const Reply& reply, const MediaSettings& settings, Room& room, Participant& me) {
    if (!me.publishing) return reply.error(errc::kNotPublishing, "not publishing");
    for (const auto& ref : settings.streams)
        if (!ref.mid.empty() &&
            std::none_of(me.streams.begin(), me.streams.end(), [&](const auto& st) { return st.media.mid == ref.mid; }))
            return reply.error(errc::kNoSuchFeed, "no stream with mid " + ref.mid);
    bool changed = false;
    for (auto& st : me.streams) {
        if (!isAv(st.media)) continue;
        int on = -1;
        if (!st.screen) on = st.media.type == SdpMedia::Type::Audio ? settings.audio : settings.video;
        for (const auto& ref : settings.streams)
            if (ref.mid == st.media.mid && ref.send != -1) on = ref.send;
        if (on == -1 || st.muted == (on == 0)) continue;
        setMuted(room, me, st, on == 0, me, reply.out);
        changed = true;
    }
    reply.answer(push::ok(room.id, "configured"));
    if (changed) view_.announcePublisher(room, me, reply.out);
}

void Publishing::moderate(const Reply& reply, const ModerateRequest& request, Room& room, const Participant& me) {
    auto it = room.participants.find(request.id);
    if (it == room.participants.end()) return reply.error(errc::kNoSuchParticipant, "no such participant");
    Participant& t = it->second;
    if (!t.publishing) return reply.error(errc::kNotPublishing, "that participant is not publishing");
    bool found = false;
    for (auto& st : t.streams) {
        if (!isAv(st.media) || (!request.mid.empty() && st.media.mid != request.mid)) continue;
        found = true;
        setMuted(room, t, st, request.mute, me, reply.out);
    }
    if (!found) return reply.error(errc::kNoSuchFeed, "no such stream");
    reply.answer(push::moderated(room.id, request.mute, t.id, request.mid));
    // The target learns who did what to its streams (its client mutes locally).
    reply.out.push_back(Effect::push(t.session, {}, push::moderation(room.id, request.mute, request.mid)));
    view_.announcePublisher(room, t, reply.out);
}

void Publishing::setMuted(Room& room, Participant& target, Participant::Stream& st, bool muted, const Participant& by,
                          Effects& out) {
    if (st.muted == muted) return;
    st.muted = muted;
    if (st.media.active) media_.relay->setMuted(target.session, st.media.mindex, muted);
    out.push_back(Effect::notify(
        target.session, event::muted(room.id, muted, target.pseudonym, sdpTypeName(st.media.type), st.media.mid,
                                     st.screen, &by != &target ? by.pseudonym : std::string())));
    ++state_.counters[muted ? "mutes" : "unmutes"];
}

void Publishing::stop(Room& room, Participant& p, bool pushToIt, const std::string& tx, int64_t nowUs, Effects& out) {
    if (!p.publishing) return;
    if (media_.relay) media_.relay->unpublish(p.session);
    flushChat(room, p, nowUs, true, out);
    bool screen = screenShared(p.streams);
    p.publishing = false;
    p.streams.clear();
    if (pushToIt) out.push_back(Effect::push(p.session, tx, push::ok(room.id, "unpublished")));
    if (!room.ended)
        for (const auto& [id, other] : room.participants)
            if (!other.waiting && id != p.id)
                out.push_back(Effect::push(other.session, {}, push::unpublished(room.id, p.id)));
    out.push_back(Effect::notify(p.session, event::unpublished(room.id, p.pseudonym)));
    if (screen) out.push_back(Effect::notify(p.session, event::screenShare(room.id, false, p.pseudonym, p.role)));
}

void Publishing::flushChat(Room& room, Participant& p, int64_t nowUs, bool final, Effects& out) {
    if (!media_.relay) return;
    ChatMeter::Counts c = media_.relay->takeChat(p.session);
    if (c.messages > 0) p.lastActivityUs = std::max(p.lastActivityUs, nowUs);
    p.chat += c;
    if (p.chat.empty() || (!final && nowUs - p.lastChatEventUs < kChatEventIntervalUs)) return;
    // One event per participant and second at most, whatever the sender does: the audit queue is
    // shared by every room. Its counts cover every message since the previous event.
    out.push_back(Effect::notify(p.session, event::chat(room.id, p.pseudonym, p.role, p.chat.messages, p.chat.bytes,
                                                        p.chat.recipients, p.chat.dropped, nowUs)));
    state_.counters["chat_messages"] += p.chat.messages;
    state_.counters["chat_dropped"] += p.chat.dropped;
    ++state_.counters["chat_events"];
    p.chat = {};
    p.lastChatEventUs = nowUs;
}

}  // namespace hipaa::room
