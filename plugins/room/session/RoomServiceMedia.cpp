// RoomService, media half: VideoRoom-compatible publish/subscribe (multistream subset), mute, screen
// share, chat metadata. State changes here and in MediaRelay happen together on the room worker; the
// relay's media threads only ever see the snapshots it publishes.
#include "RoomService.hpp"

#include "PermissionTable.hpp"
#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"

#include <algorithm>
#include <set>

namespace hipaa::room {
namespace {

constexpr int64_t kUsPerS = 1000000;

const char* kindOf(const SdpMedia& m) { return sdpTypeName(m.type); }

bool isAv(const SdpMedia& m) { return m.type == SdpMedia::Type::Audio || m.type == SdpMedia::Type::Video; }

JsonPtr jsepOf(const char* type, const std::string& sdp, bool e2ee) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "type", type);
    jsonSet(j.get(), "sdp", sdp);
    if (e2ee) jsonSet(j.get(), "e2ee", true);
    return j;
}

}  // namespace

// ---- what the room sees of a publication ----

JsonPtr RoomService::joinedBody(const Room& room, const Participant& p) const {
    return push::joined(room.id, p.id, p.privateId, roleName(p.role), visibleParticipants(room, p),
                        classOf(room).of(p.role).subscribe ? publishersFor(room, p) : nullptr);
}

JsonPtr RoomService::publisherDesc(const Room& room, const Participant& viewer, const Participant& p) const {
    JsonPtr o = describeFor(room, viewer, p);
    JsonPtr streams = jsonArray();
    for (const auto& st : p.streams) {
        JsonPtr j = jsonObject();
        jsonSet(j.get(), "type", kindOf(st.media));
        jsonSet(j.get(), "mindex", st.media.mindex);
        jsonSet(j.get(), "mid", st.media.mid);
        if (!st.media.codec.empty()) jsonSet(j.get(), "codec", st.media.codec);
        if (!st.description.empty()) jsonSet(j.get(), "description", st.description);
        if (!st.media.active) jsonSet(j.get(), "disabled", true);
        if (st.screen) jsonSet(j.get(), "screen", true);
        if (st.muted) jsonSet(j.get(), "muted", true);
        json_array_append_new(streams.get(), j.release());
    }
    jsonSet(o.get(), "streams", std::move(streams));
    if (p.e2ee) jsonSet(o.get(), "e2ee", true);
    return o;
}

JsonPtr RoomService::publishersFor(const Room& room, const Participant& viewer) const {
    JsonPtr arr = jsonArray();
    for (const auto& [id, p] : room.participants)
        if (p.publishing && !p.waiting && id != viewer.id)
            json_array_append_new(arr.get(), publisherDesc(room, viewer, p).release());
    return arr;
}

void RoomService::broadcastPublisher(Room& room, const Participant& p, Effects& out) {
    if (room.ended) return;
    for (const auto& [id, other] : room.participants) {
        if (other.waiting || id == p.id || !classOf(room).of(other.role).subscribe) continue;
        JsonPtr list = jsonArray();
        json_array_append_new(list.get(), publisherDesc(room, other, p).release());
        push(out, other.session, {}, push::publishers(room.id, std::move(list)));
    }
}

RoomService::Participant* RoomService::participantOf(SessionId s) {
    auto w = sessions_.find(s);
    if (w == sessions_.end()) return nullptr;
    auto r = rooms_.find(w->second.room);
    if (r == rooms_.end()) return nullptr;
    auto p = r->second.participants.find(w->second.participant);
    return p == r->second.participants.end() ? nullptr : &p->second;
}

// ---- publisher ----

void RoomService::publish(SessionId s, const std::string& tx, const std::string& name, const MediaSettings& r,
                          const json_t* jsep, Room& room, Participant& me, Effects& out) {
    const RoomClass& cls = classOf(room);
    const char* type = jsep ? json_string_value(json_object_get(jsep, "type")) : nullptr;
    const char* sdp = jsep ? json_string_value(json_object_get(jsep, "sdp")) : nullptr;
    if (!type || std::string_view(type) != "offer" || !sdp)
        return pushError(out, s, tx, rc::kInvalidSdp, name + " needs a JSEP offer");
    bool e2ee = json_is_true(json_object_get(jsep, "e2ee"));
    if (cls.e2ee != e2ee)
        return pushError(out, s, tx, rc::kE2eeRequired,
                         cls.e2ee ? "this room is end-to-end encrypted: publish with insertable streams (e2ee)"
                                  : "this room is not end-to-end encrypted: publish without e2ee");
    if (!me.publishing) {
        int n = 0;
        for (const auto& [id, p] : room.participants) n += p.publishing ? 1 : 0;
        if (n >= cls.publishers) return pushError(out, s, tx, rc::kTooManyPublishers, "the room has its maximum of publishers");
    }
    SdpPolicy policy;
    policy.videoBitrateBps = cls.bitrate;
    policy.videoCodecs = cls.videoCodecs;
    std::vector<SdpMedia> media;
    std::string answer;
    try {
        answer = media_.sdp->answerPublisher(sdp, policy, media);
    } catch (const Error& e) {
        return pushError(out, s, tx, rc::kInvalidSdp, e.what());
    }
    // Mids go into events and other participants' offers: refuse the whole offer (never echo the mid).
    for (const auto& m : media)
        if (!sdpMidAcceptable(m.mid))
            return pushError(out, s, tx, rc::kInvalidSdp,
                             "a=mid of m-line " + std::to_string(m.mindex) +
                                 " must be 1 to 16 characters of A-Z a-z 0-9 _ -");
    // The new publication: what carries over from the previous one is keyed by mid.
    std::vector<PubStream> streams;
    int lastNewVideo = -1;
    for (auto& m : media) {
        PubStream st;
        auto prev = std::find_if(me.streams.begin(), me.streams.end(), [&](const PubStream& p) { return p.media.mid == m.mid && p.media.type == m.type; });
        if (prev != me.streams.end()) {
            st.screen = prev->screen;
            st.muted = prev->muted;
            st.description = prev->description;
        } else if (m.type == SdpMedia::Type::Video) {
            lastNewVideo = static_cast<int>(streams.size());
        }
        for (const auto& d : r.descriptions)
            if (d.mid == m.mid && !d.description.empty()) st.description = d.description;
        st.media = std::move(m);
        streams.push_back(std::move(st));
    }
    // `screen: true` names the video m-line this offer adds as the screen share (janus.js adds one).
    if (r.screen == 1 && lastNewVideo >= 0) streams[static_cast<size_t>(lastNewVideo)].screen = true;
    bool anyActive = false, screenBefore = false, screenNow = false;
    for (const auto& st : streams) {
        anyActive |= st.media.active;
        screenNow |= st.screen && st.media.active;
    }
    for (const auto& st : me.streams) screenBefore |= st.screen && st.media.active;
    if (!anyActive) return pushError(out, s, tx, rc::kNoCodec, "the offer has no stream this room accepts");
    if (screenNow && !screenBefore && !PermissionTable::grants(cls.of(me.role), PermissionTable::of<PublishRequest>().toShareScreen)) {
        notify(out, s, event::roleDenied(room.id, me.pseudonym, me.role, "screen_share"));
        ++counters_["role_denials"];
        return pushError(out, s, tx, rc::kForbidden, "your role may not share a screen");
    }

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
    media_.relay->publish(s, room.id, me.feed, std::move(relay), cls.bitrate, tapped(room, me));
    ++counters_[renegotiation ? "publications_renegotiated" : "publications"];

    JsonPtr self = publisherDesc(room, me, me);
    push(out, s, tx, push::configured(room.id, jsonRetain(json_object_get(self.get(), "streams"))),
         jsepOf("answer", answer, e2ee));
    broadcastPublisher(room, me, out);

    JsonPtr kinds = jsonArray();
    for (const auto& st : me.streams) {
        if (!st.media.active) continue;
        JsonPtr k = jsonObject();
        jsonSet(k.get(), "type", kindOf(st.media));
        if (!st.media.codec.empty()) jsonSet(k.get(), "codec", st.media.codec);
        if (st.screen) jsonSet(k.get(), "screen", true);
        json_array_append_new(kinds.get(), k.release());
    }
    notify(out, s, event::published(room.id, renegotiation, me.pseudonym, std::move(kinds), e2ee));
    if (screenNow != screenBefore) {
        notify(out, s, event::screenShare(room.id, screenNow, me.pseudonym, me.role));
        ++counters_[screenNow ? "screen_shares" : "screen_shares_stopped"];
    }
}

void RoomService::setMuted(Room& room, Participant& target, PubStream& st, bool muted, const Participant& by,
                           Effects& out) {
    if (st.muted == muted) return;
    st.muted = muted;
    if (st.media.active) media_.relay->setMuted(target.session, st.media.mindex, muted);
    notify(out, target.session,
           event::muted(room.id, muted, target.pseudonym, kindOf(st.media), st.media.mid, st.screen,
                        &by != &target ? by.pseudonym : std::string()));
    ++counters_[muted ? "mutes" : "unmutes"];
}

void RoomService::mute(SessionId s, const std::string& tx, const MediaSettings& r, Room& room, Participant& me,
                       Effects& out) {
    if (!me.publishing) return pushError(out, s, tx, rc::kNotPublishing, "not publishing");
    for (const auto& ref : r.streams)
        if (!ref.mid.empty() && std::none_of(me.streams.begin(), me.streams.end(),
                                             [&](const PubStream& st) { return st.media.mid == ref.mid; }))
            return pushError(out, s, tx, rc::kNoSuchFeed, "no stream with mid " + ref.mid);
    bool changed = false;
    for (auto& st : me.streams) {
        if (!isAv(st.media)) continue;
        int on = -1;
        if (!st.screen) on = st.media.type == SdpMedia::Type::Audio ? r.audio : r.video;
        for (const auto& ref : r.streams)
            if (ref.mid == st.media.mid && ref.send != -1) on = ref.send;
        if (on == -1 || st.muted == (on == 0)) continue;
        setMuted(room, me, st, on == 0, me, out);
        changed = true;
    }
    push(out, s, tx, push::ok(room.id, "configured"));
    if (changed) broadcastPublisher(room, me, out);
}

void RoomService::moderateMute(SessionId s, const std::string& tx, const ModerateRequest& r, Room& room, Participant& me,
                               Effects& out) {
    auto it = room.participants.find(r.id);
    if (it == room.participants.end()) return pushError(out, s, tx, rc::kNoSuchParticipant, "no such participant");
    Participant& t = it->second;
    if (!t.publishing) return pushError(out, s, tx, rc::kNotPublishing, "that participant is not publishing");
    const std::string& mid = r.mid;
    bool found = false;
    for (auto& st : t.streams) {
        if (!isAv(st.media) || (!mid.empty() && st.media.mid != mid)) continue;
        found = true;
        setMuted(room, t, st, r.mute, me, out);
    }
    if (!found) return pushError(out, s, tx, rc::kNoSuchFeed, "no such stream");
    push(out, s, tx, push::moderated(room.id, r.mute, t.id, mid));
    // The target learns who did what to its streams (its client mutes locally).
    push(out, t.session, {}, push::moderation(room.id, r.mute, mid));
    broadcastPublisher(room, t, out);
}

void RoomService::unpublish(Room& room, Participant& me, bool pushToIt, const std::string& tx, int64_t now,
                            Effects& out) {
    if (!me.publishing) return;
    if (media_.relay) media_.relay->unpublish(me.session);
    flushChat(room, me, now, true, out);
    bool screen = false;
    for (const auto& st : me.streams) screen |= st.screen && st.media.active;
    me.publishing = false;
    me.streams.clear();
    if (pushToIt) push(out, me.session, tx, push::ok(room.id, "unpublished"));
    if (!room.ended)
        for (const auto& [id, other] : room.participants) {
            if (other.waiting || id == me.id) continue;
            push(out, other.session, {}, push::unpublished(room.id, me.id));
        }
    notify(out, me.session, event::unpublished(room.id, me.pseudonym));
    if (screen) notify(out, me.session, event::screenShare(room.id, false, me.pseudonym, me.role));
}

void RoomService::dropMedia(Room& room, Participant& p, int64_t now, Effects& out, bool hangupPc) {
    bool had = p.publishing || !p.subscribers.empty();
    unpublish(room, p, false, {}, now, out);
    for (SessionId sub : std::set<SessionId>(p.subscribers)) dropSubscriber(sub, out, true);
    if (media_.relay) media_.relay->removeSession(p.session);
    if (had && hangupPc) out.push_back(Effect::hangup(p.session));
}

// ---- subscribers ----

int RoomService::resolveStreams(const Room& room, const Participant& owner,
                                const std::vector<StreamRef>& refs, std::vector<SubStream>& out,
                                std::string& why) const {
    for (const auto& ref : refs) {
        auto it = room.participants.find(ref.feed);
        if (it == room.participants.end() || it->second.waiting || !it->second.publishing || ref.feed == owner.id) {
            why = "no such feed: " + ref.feed;
            return rc::kNoSuchFeed;
        }
        bool any = false;
        for (const auto& st : it->second.streams) {
            if (!st.media.active || (!ref.mid.empty() && st.media.mid != ref.mid)) continue;
            SubStream ss;
            ss.media = st.media;
            ss.feed = ref.feed;
            ss.feedMid = st.media.mid;
            ss.pubMindex = st.media.mindex;
            out.push_back(std::move(ss));
            any = true;
        }
        if (!any) {
            why = "no such stream: " + ref.feed + (ref.mid.empty() ? "" : " mid " + ref.mid);
            return rc::kNoSuchFeed;
        }
    }
    return 0;
}

void RoomService::subscriberJoin(SessionId s, const std::string& tx, const SubscriberJoinRequest& r, int64_t now,
                                 Effects& out) {
    int64_t nowS = now / kUsPerS;
    auto rit = rooms_.find(r.room);
    Room* named = rit == rooms_.end() ? nullptr : &rit->second;
    // Every refused subscriber join leaves a `subscribe` event (the room only when it exists).
    auto refuse = [&](int code, const char* reason, const std::string& message) {
        notify(out, s, event::subscribeRefused(named ? named->id : std::string(), code, reason));
        ++counters_["subscriptions_refused"];
        pushError(out, s, tx, code, message);
    };
    if (rateLimited(s, nowS))
        return refuse(rc::kRateLimited, "rate_limited", "too many failed attempts from this session; try again later");
    if (!named) {
        refuse(rc::kNoSuchRoom, "no_such_room", "no such room");
        return unverifiedFailure(s, nowS, out);
    }
    Room& room = *named;
    if (room.ended) return refuse(rc::kRoomEnded, "room_ended", "the visit has ended");
    if (!mediaReady())
        return refuse(errc::kNotImplemented, "not_implemented", "media is not available in this room plugin");
    Participant* owner = nullptr;
    for (auto& [id, p] : room.participants)
        if (p.privateId == r.privateId) owner = &p;
    // A private_id opens subscriber handles only in its owner's Janus session (the tab that joined);
    // anywhere else it is as wrong as a guess, and counted like one. Waiting participants get no
    // media: their private_id opens nothing until they are admitted.
    if (!owner || owner->waiting || janusSessionKey(s) != janusSessionKey(owner->session)) {
        refuse(rc::kInvalidPrivateId, "invalid_private_id", "no admitted participant with this private_id");
        return unverifiedFailure(s, nowS, out);
    }
    if (!PermissionTable::grants(classOf(room).of(owner->role), PermissionTable::of<SubscriberJoinRequest>().capability)) {
        notify(out, s, event::roleDenied(room.id, owner->pseudonym, owner->role, "subscribe"));
        ++counters_["role_denials"];
        return pushError(out, s, tx, rc::kForbidden, "your role may not subscribe");
    }
    Subscriber sub;
    sub.room = room.id;
    sub.owner = owner->id;
    std::string why;
    if (int code = resolveStreams(room, *owner, r.streams, sub.streams, why)) return refuse(code, "no_such_feed", why);
    for (size_t i = 0; i < sub.streams.size(); ++i) {
        sub.streams[i].media.mindex = static_cast<int>(i);
        sub.streams[i].media.mid = std::to_string(i);
    }
    sub.e2ee = classOf(room).e2ee;
    auto [it, _] = subscribers_.emplace(s, std::move(sub));
    owner->subscribers.insert(s);
    for (const auto& ss : it->second.streams)
        media_.relay->subscribe(s, room.participants.at(ss.feed).feed, ss.pubMindex, ss.media.mindex);
    notify(out, s, event::subscribed(room.id, owner->pseudonym, static_cast<uint64_t>(it->second.streams.size())));
    ++counters_["subscriptions"];
    pushSubscriberOffer(s, tx, "attached", it->second, out);
}

void RoomService::pushSubscriberOffer(SessionId s, const std::string& tx, const char* kind, Subscriber& sub,
                                      Effects& out) {
    Room& room = rooms_.at(sub.room);
    const Participant& owner = room.participants.at(sub.owner);
    std::vector<SdpMedia> media;
    JsonPtr streams = jsonArray();
    for (const auto& ss : sub.streams) {
        media.push_back(ss.media);
        JsonPtr j = jsonObject();
        jsonSet(j.get(), "mindex", ss.media.mindex);
        jsonSet(j.get(), "mid", ss.media.mid);
        jsonSet(j.get(), "type", kindOf(ss.media));
        jsonSet(j.get(), "active", ss.media.active);
        if (ss.media.active) {
            jsonSet(j.get(), "feed_id", ss.feed);
            jsonSet(j.get(), "feed_mid", ss.feedMid);
            if (auto f = room.participants.find(ss.feed); f != room.participants.end()) {
                JsonPtr d = describeFor(room, owner, f->second);
                if (const json_t* name = json_object_get(d.get(), "display"))
                    jsonSet(j.get(), "feed_display", jsonRetain(const_cast<json_t*>(name)));
                for (const auto& st : f->second.streams)
                    if (st.media.mid == ss.feedMid) {
                        if (!st.description.empty()) jsonSet(j.get(), "feed_description", st.description);
                        if (st.screen) jsonSet(j.get(), "screen", true);
                    }
            }
            if (!ss.media.codec.empty()) jsonSet(j.get(), "codec", ss.media.codec);
            jsonSet(j.get(), "send", ss.send);
        }
        json_array_append_new(streams.get(), j.release());
    }
    std::string offer;
    try {
        offer = media_.sdp->offerSubscriber("janus-hipaa room", media, ++sub.version);
    } catch (const Error& e) {
        return pushError(out, s, tx, rc::kInvalidSdp, e.what());
    }
    push(out, s, tx, push::subscriberStreams(kind, room.id, std::move(streams)), jsepOf("offer", offer, sub.e2ee));
}

void RoomService::subscriberRequest(SessionId s, const std::string& tx, const RoomRequest& r, const json_t* jsep,
                                    Subscriber& sub, Effects& out) {
    Room& room = rooms_.at(sub.room);
    Participant& owner = room.participants.at(sub.owner);
    if (std::holds_alternative<StartRequest>(r)) {
        const char* type = jsep ? json_string_value(json_object_get(jsep, "type")) : nullptr;
        const char* sdp = jsep ? json_string_value(json_object_get(jsep, "sdp")) : nullptr;
        if (!type || std::string_view(type) != "answer" || !sdp)
            return pushError(out, s, tx, rc::kInvalidSdp, "start needs a JSEP answer");
        std::string why;
        if (!media_.sdp->parses(sdp, why)) return pushError(out, s, tx, rc::kInvalidSdp, "the answer does not parse: " + why);
        for (auto& ss : sub.streams) ss.send = true;
        media_.relay->setSend(s, -1, true);
        media_.relay->requestKeyframes(s);
        return push(out, s, tx, push::ok(room.id, "started"));
    }
    if (std::holds_alternative<PauseRequest>(r)) {
        for (auto& ss : sub.streams) ss.send = false;
        media_.relay->setSend(s, -1, false);
        return push(out, s, tx, push::ok(room.id, "paused"));
    }
    if (const auto* c = std::get_if<ConfigureRequest>(&r)) {
        for (const auto& ref : c->streams)
            if (std::none_of(sub.streams.begin(), sub.streams.end(), [&](const SubStream& ss) { return ss.media.mid == ref.mid; }))
                return pushError(out, s, tx, rc::kNoSuchFeed, "no stream with mid " + ref.mid);
        for (const auto& ref : c->streams)
            for (auto& ss : sub.streams)
                if (ss.media.mid == ref.mid && ref.send != -1) {
                    ss.send = ref.send == 1;
                    media_.relay->setSend(s, ss.media.mindex, ss.send);
                }
        return push(out, s, tx, push::ok(room.id, "configured"));
    }
    if (const auto* u = std::get_if<UpdateRequest>(&r)) {
        std::vector<SubStream> added;
        std::string why;
        if (int code = resolveStreams(room, owner, u->subscribe, added, why)) return pushError(out, s, tx, code, why);
        // Validated in full before anything changes: a bad entry leaves the handle as it was.
        std::set<size_t> gone;
        for (const auto& un : u->unsubscribe) {
            bool any = false;
            for (size_t i = 0; i < sub.streams.size(); ++i) {
                const SubStream& ss = sub.streams[i];
                bool match = ss.media.active && (un.subMid.empty() || ss.media.mid == un.subMid) &&
                             (un.feed.empty() || ss.feed == un.feed) && (un.mid.empty() || ss.feedMid == un.mid);
                if (!match || (un.subMid.empty() && un.feed.empty())) continue;
                gone.insert(i);
                any = true;
            }
            if (!any) return pushError(out, s, tx, rc::kNoSuchFeed, "nothing to unsubscribe matches");
        }
        if (sub.streams.size() + added.size() > 64)
            return pushError(out, s, tx, errc::kInvalidField, "too many streams on one handle");
        for (size_t i : gone) {
            sub.streams[i].media.active = false;  // the m-line stays (inactive): m-lines are never removed
            media_.relay->unsubscribe(s, sub.streams[i].media.mindex);
        }
        for (auto& ss : added) {
            bool dup = std::any_of(sub.streams.begin(), sub.streams.end(), [&](const SubStream& o) {
                return o.media.active && o.feed == ss.feed && o.feedMid == ss.feedMid;
            });
            if (dup) continue;
            ss.media.mindex = static_cast<int>(sub.streams.size());
            ss.media.mid = std::to_string(ss.media.mindex);
            media_.relay->subscribe(s, room.participants.at(ss.feed).feed, ss.pubMindex, ss.media.mindex);
            sub.streams.push_back(std::move(ss));
        }
        return pushSubscriberOffer(s, tx, "updated", sub, out);
    }
    if (std::holds_alternative<LeaveRequest>(r)) {
        push(out, s, tx, push::ok(room.id, "left"));
        return dropSubscriber(s, out, false);
    }
    pushError(out, s, tx, rc::kWrongHandle, std::string(requestName(r)) + " is not a subscriber request");
}

void RoomService::dropSubscriber(SessionId s, Effects& out, bool end) {
    auto it = subscribers_.find(s);
    if (it == subscribers_.end()) return;
    if (auto r = rooms_.find(it->second.room); r != rooms_.end())
        if (auto o = r->second.participants.find(it->second.owner); o != r->second.participants.end())
            o->second.subscribers.erase(s);
    subscribers_.erase(it);
    if (media_.relay) media_.relay->removeSession(s);
    if (end) out.push_back(Effect::end(s));
}

// ---- media callbacks (through the worker) ----

Effects RoomService::mediaGone(SessionId s, int64_t now) {
    Effects out;
    if (subscribers_.contains(s)) {
        dropSubscriber(s, out, false);
        return out;
    }
    if (Participant* p = participantOf(s); p && p->publishing)
        unpublish(rooms_.at(sessions_.at(s).room), *p, true, {}, now, out);
    return out;
}

void RoomService::flushChat(Room& room, Participant& p, int64_t now, bool final, Effects& out) {
    if (!media_.relay) return;
    ChatMeter::Counts c = media_.relay->takeChat(p.session);
    if (c.messages > 0) p.lastActivityUs = std::max(p.lastActivityUs, now);
    p.chat += c;
    if (p.chat.empty() || (!final && now - p.lastChatEventUs < kChatEventIntervalUs)) return;
    // One event per participant and second at most, whatever the sender does: the audit queue is
    // shared by every room. Its counts cover every message since the previous event.
    notify(out, p.session,
           event::chat(room.id, p.pseudonym, p.role, p.chat.messages, p.chat.bytes, p.chat.recipients, p.chat.dropped,
                       now));
    counters_["chat_messages"] += p.chat.messages;
    counters_["chat_dropped"] += p.chat.dropped;
    ++counters_["chat_events"];
    p.chat = {};
    p.lastChatEventUs = now;
}

Effects RoomService::slowLink(SessionId s, bool uplink, bool video, int64_t) {
    Effects out;
    const Participant* who = participantOf(s);
    std::string roomId;
    if (who) {
        roomId = sessions_.at(s).room;
    } else if (auto sub = subscribers_.find(s); sub != subscribers_.end()) {
        roomId = sub->second.room;
        who = &rooms_.at(roomId).participants.at(sub->second.owner);
    }
    if (!who) return out;
    Room& room = rooms_.at(roomId);
    const char* direction = uplink ? "to_peer" : "from_peer";
    const char* media = video ? "video" : "audio";
    push(out, s, {}, push::slowLink(room.id, direction, media));
    notify(out, s,
           event::slowLink(room.id, who->pseudonym, direction, media,
                           subscribers_.contains(s) ? "subscriber" : "publisher"));
    ++counters_["slow_links"];
    return out;
}

}  // namespace hipaa::room
