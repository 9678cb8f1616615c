// SPDX-License-Identifier: GPL-3.0-or-later
#include "Subscriptions.hpp"

#include "PermissionTable.hpp"
#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <algorithm>
#include <set>

namespace hipaa::room {

void Subscriptions::join(const Reply& reply, const SubscriberJoinRequest& request) {
    int64_t nowS = reply.nowUs / 1000000;
    auto rit = state_.rooms.find(request.room);
    Room* named = rit == state_.rooms.end() ? nullptr : &rit->second;
    // Every refused subscriber join leaves a `subscribe` event (the room only when it exists).
    auto refuse = [&](int code, const char* reason, const std::string& message) {
        reply.notify(event::subscribeRefused(named ? named->id : std::string(), code, reason));
        ++state_.counters["subscriptions_refused"];
        reply.error(code, message);
    };
    if (lockouts_.rateLimited(reply.session, nowS))
        return refuse(errc::kRateLimited, "rate_limited",
                      "too many failed attempts from this session; try again later");
    if (!named) {
        refuse(errc::kNoSuchRoom, "no_such_room", "no such room");
        return lockouts_.unverifiedFailure(reply.session, nowS, reply.out);
    }
    Room& room = *named;
    if (room.ended) return refuse(errc::kRoomEnded, "room_ended", "the visit has ended");
    if (!media_.ready())
        return refuse(errc::kNotImplemented, "not_implemented", "media is not available in this room plugin");
    Participant* owner = nullptr;
    for (auto& [id, p] : room.participants)
        if (p.privateId == request.privateId) owner = &p;
    // A private_id opens subscriber handles only in its owner's Janus session (the tab that joined);
    // anywhere else it is as wrong as a guess, and counted like one. Waiting participants get no
    // media: their private_id opens nothing until they are admitted.
    if (!owner || owner->waiting || !lockouts_.sameJanusSession(reply.session, owner->session)) {
        refuse(errc::kInvalidPrivateId, "invalid_private_id", "no admitted participant with this private_id");
        return lockouts_.unverifiedFailure(reply.session, nowS, reply.out);
    }
    if (!PermissionTable::grants(state_.permissionsOf(room, *owner),
                                 PermissionTable::of<SubscriberJoinRequest>().capability))
        return state_.denyRole(reply, room, *owner, "subscribe", "your role may not subscribe");
    Subscriber sub;
    sub.room = room.id;
    sub.owner = owner->id;
    std::string why;
    if (int code = resolve(room, *owner, request.streams, sub.streams, why)) return refuse(code, "no_such_feed", why);
    for (size_t i = 0; i < sub.streams.size(); ++i) {
        sub.streams[i].media.mindex = static_cast<int>(i);
        sub.streams[i].media.mid = std::to_string(i);
    }
    sub.e2ee = state_.classOf(room).e2ee;
    auto [it, _] = state_.subscribers.emplace(reply.session, std::move(sub));
    owner->subscribers.insert(reply.session);
    for (const auto& ss : it->second.streams)
        media_.relay->subscribe(reply.session, room.participants.at(ss.feed).feed, ss.pubMindex, ss.media.mindex);
    reply.notify(event::subscribed(room.id, owner->pseudonym, static_cast<uint64_t>(it->second.streams.size())));
    ++state_.counters["subscriptions"];
    offer(reply, "attached", it->second);
}

void Subscriptions::start(const Reply& reply, const json_t* jsep, Subscriber& sub) {
    const char* type = jsep ? json_string_value(json_object_get(jsep, "type")) : nullptr;
    const char* sdp = jsep ? json_string_value(json_object_get(jsep, "sdp")) : nullptr;
    if (!type || std::string_view(type) != "answer" || !sdp)
        return reply.error(errc::kInvalidSdp, "start needs a JSEP answer");
    std::string why;
    if (!media_.sdp->parses(sdp, why)) return reply.error(errc::kInvalidSdp, "the answer does not parse: " + why);
    for (auto& ss : sub.streams) ss.send = true;
    media_.relay->setSend(reply.session, -1, true);
    media_.relay->requestKeyframes(reply.session);
    reply.answer(push::ok(sub.room, "started"));
}

void Subscriptions::pause(const Reply& reply, Subscriber& sub) {
    for (auto& ss : sub.streams) ss.send = false;
    media_.relay->setSend(reply.session, -1, false);
    reply.answer(push::ok(sub.room, "paused"));
}

void Subscriptions::configure(const Reply& reply, const ConfigureRequest& request, Subscriber& sub) {
    for (const auto& ref : request.streams)
        if (std::none_of(sub.streams.begin(), sub.streams.end(),
                         [&](const auto& ss) { return ss.media.mid == ref.mid; }))
            return reply.error(errc::kNoSuchFeed, "no stream with mid " + ref.mid);
    for (const auto& ref : request.streams)
        for (auto& ss : sub.streams)
            if (ss.media.mid == ref.mid && ref.send != -1) {
                ss.send = ref.send == 1;
                media_.relay->setSend(reply.session, ss.media.mindex, ss.send);
            }
    // The connection was lost (or changed network): the same streams, offered with new ICE credentials.
    if (request.restart == 1) return offer(reply, nullptr, sub, true);
    reply.answer(push::ok(sub.room, "configured"));
}

void Subscriptions::update(const Reply& reply, const UpdateRequest& request, Subscriber& sub) {
    Room& room = state_.rooms.at(sub.room);
    const Participant& owner = room.participants.at(sub.owner);
    std::vector<Subscriber::Stream> added;
    std::string why;
    if (int code = resolve(room, owner, request.subscribe, added, why)) return reply.error(code, why);
    // Validated in full before anything changes: a bad entry leaves the handle as it was.
    std::set<size_t> gone;
    for (const auto& u : request.unsubscribe) {
        bool any = false;
        for (size_t i = 0; i < sub.streams.size(); ++i) {
            const Subscriber::Stream& ss = sub.streams[i];
            bool match = ss.media.active && (u.subMid.empty() || ss.media.mid == u.subMid) &&
                         (u.feed.empty() || ss.feed == u.feed) && (u.mid.empty() || ss.feedMid == u.mid);
            if (!match || (u.subMid.empty() && u.feed.empty())) continue;
            gone.insert(i);
            any = true;
        }
        if (!any) return reply.error(errc::kNoSuchFeed, "nothing to unsubscribe matches");
    }
    if (sub.streams.size() + added.size() > 64)
        return reply.error(errc::kInvalidField, "too many streams on one handle");
    for (size_t i : gone) {
        sub.streams[i].media.active = false;  // the m-line stays (inactive): m-lines are never removed
        media_.relay->unsubscribe(reply.session, sub.streams[i].media.mindex);
    }
    for (auto& ss : added) {
        bool dup = std::any_of(sub.streams.begin(), sub.streams.end(), [&](const auto& o) {
            return o.media.active && o.feed == ss.feed && o.feedMid == ss.feedMid;
        });
        if (dup) continue;
        ss.media.mindex = static_cast<int>(sub.streams.size());
        ss.media.mid = std::to_string(ss.media.mindex);
        media_.relay->subscribe(reply.session, room.participants.at(ss.feed).feed, ss.pubMindex, ss.media.mindex);
        sub.streams.push_back(std::move(ss));
    }
    offer(reply, "updated", sub, request.restart == 1);
}

void Subscriptions::leave(const Reply& reply, Subscriber& sub) {
    reply.answer(push::ok(sub.room, "left"));
    drop(reply.session, reply.out, false);
}

void Subscriptions::drop(SessionId s, Effects& out, bool end) {
    auto it = state_.subscribers.find(s);
    if (it == state_.subscribers.end()) return;
    if (auto r = state_.rooms.find(it->second.room); r != state_.rooms.end())
        if (auto o = r->second.participants.find(it->second.owner); o != r->second.participants.end())
            o->second.subscribers.erase(s);
    state_.subscribers.erase(it);
    if (media_.relay) media_.relay->removeSession(s);
    if (end) out.push_back(Effect::end(s));
}

int Subscriptions::resolve(const Room& room, const Participant& owner, const std::vector<StreamRef>& refs,
                           std::vector<Subscriber::Stream>& out, std::string& why) const {
    for (const auto& ref : refs) {
        auto it = room.participants.find(ref.feed);
        if (it == room.participants.end() || it->second.waiting || !it->second.publishing || ref.feed == owner.id) {
            why = "no such feed: " + ref.feed;
            return errc::kNoSuchFeed;
        }
        bool any = false;
        for (const auto& st : it->second.streams) {
            if (!st.media.active || (!ref.mid.empty() && st.media.mid != ref.mid)) continue;
            Subscriber::Stream ss;
            ss.media = st.media;
            ss.feed = ref.feed;
            ss.feedMid = st.media.mid;
            ss.pubMindex = st.media.mindex;
            out.push_back(std::move(ss));
            any = true;
        }
        if (!any) {
            why = "no such stream: " + ref.feed + (ref.mid.empty() ? "" : " mid " + ref.mid);
            return errc::kNoSuchFeed;
        }
    }
    return 0;
}

void Subscriptions::offer(const Reply& reply, const char* kind, Subscriber& sub, bool restart) {
    const Room& room = state_.rooms.at(sub.room);
    const Participant& owner = room.participants.at(sub.owner);
    std::vector<SdpMedia> media;
    JsonArrayBuilder streams;
    for (const auto& ss : sub.streams) {
        media.push_back(ss.media);
        JsonBuilder j;
        j.set("mindex", ss.media.mindex)
            .set("mid", ss.media.mid)
            .set("type", sdpTypeName(ss.media.type))
            .set("active", ss.media.active);
        if (ss.media.active) {
            j.set("feed_id", ss.feed).set("feed_mid", ss.feedMid);
            if (auto f = room.participants.find(ss.feed); f != room.participants.end()) {
                JsonPtr d = view_.describe(room, owner, f->second);
                if (json_t* name = json_object_get(d.get(), "display")) j.set("feed_display", jsonRetain(name));
                for (const auto& st : f->second.streams)
                    if (st.media.mid == ss.feedMid) {
                        j.setIf(!st.description.empty(), "feed_description", st.description);
                        j.setIf(st.screen, "screen", true);
                    }
            }
            j.setIf(!ss.media.codec.empty(), "codec", ss.media.codec).set("send", ss.send);
        }
        streams.push(std::move(j).build());
    }
    std::string sdp;
    try {
        sdp = media_.sdp->offerSubscriber("janus-hipaa room", media, ++sub.version);
    } catch (const Error& e) {
        return reply.error(errc::kInvalidSdp, e.what());
    }
    if (restart) ++state_.counters["ice_restarts"];
    reply.answer(kind ? push::subscriberStreams(kind, room.id, std::move(streams).build())
                      : push::configuredWithOffer(room.id, std::move(streams).build()),
                 push::jsep("offer", sdp, sub.e2ee, restart));
}

}  // namespace hipaa::room
