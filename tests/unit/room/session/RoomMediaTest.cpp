// SPDX-License-Identifier: GPL-3.0-or-later
// The room's media half through RoomService + a real MediaRelay (fake SDP, recorded gateway calls):
// who may publish and subscribe, VideoRoom event shapes, relay wiring, mute, screen share, chat
// metadata, e2ee rooms, cleanup on leave / back to waiting, and media as idle-timeout activity.
#include "RoomErrors.hpp"
#include "RoomHarness.hpp"

#include <gtest/gtest.h>

#include <set>

#include <array>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::room::test;

namespace {

std::string kind(const json_t* push) { return std::string(jsonString(push, "hipaa.room").value_or("")); }
int64_t errorCode(const json_t* push) { return push ? jsonInt(push, "error_code").value_or(0) : -1; }

constexpr SessionId kDr = 1, kPat = 2, kObs = 3, kPat2 = 4, kPatSub = 12, kDrSub = 11, kObsSub = 13;
const char* kAv = "m=audio opus 111\nm=video vp8 96\nm=application";
const char* kAvScreen = "m=audio opus 111\nm=video vp8 96\nm=application\nm=video vp8 96";  // janus.js appends

struct Rtp {
    std::array<uint8_t, 40> b{};
    Rtp(uint32_t ssrc, uint16_t seq, uint32_t ts) {
        b[0] = 0x80;
        b[1] = 96;
        RtpRewriter::write(b.data(), {ssrc, seq, ts});
    }
    MediaPacket packet(int mindex, bool video) { return MediaPacket{mindex, video, b.data(), b.size()}; }
};

class RoomMedia : public ::testing::Test {
protected:
    RoomMedia() : h(settings()) {}
    static RoomSettings settings() {
        RoomSettings s;
        RoomClass e2ee;
        e2ee.name = "e2ee";
        e2ee.e2ee = true;
        s.classes["e2ee"] = e2ee;
        RoomClass capped;
        capped.name = "capped";
        capped.bitrate = 256000;
        capped.publishers = 1;
        s.classes["capped"] = capped;
        RoomClass h264;
        h264.name = "h264";
        h264.videoCodecs = {"h264"};
        s.classes["h264"] = h264;
        RoomClass brief;
        brief.name = "brief";
        brief.idleTimeoutS = 60;
        s.classes["brief"] = brief;
        RoomClass kept;
        kept.name = "kept";
        kept.chatKept = true;
        s.classes["kept"] = kept;
        RoomClass keptDocuments;
        keptDocuments.name = "keptdocs";
        keptDocuments.documentMaxBytes = 123456;
        keptDocuments.documentsKept = true;
        keptDocuments.keptToEhr = false;
        s.classes["keptdocs"] = keptDocuments;
        return s;
    }
    RoomHarness h;
    std::string room = h.createRoom();

    uint64_t privateIdOf(SessionId s) {
        for (const json_t* p : h.pushes(s))
            if (kind(p) == "joined") return static_cast<uint64_t>(jsonInt(p, "private_id").value_or(0));
        return 0;
    }
    void admit(SessionId s) { h.send(kDr, R"({"request":"admit","id":")" + h.idOf(s) + R"("})"); }
    // A visit in a class that keeps documents, ended by the provider; the recorder's seal of its kept
    // chat is held (h.heldChatSeals) until the test answers it.
    void endKeptVisitWithItsSealHeld() {
        room = h.createRoom("keptdocs");
        visit();
        publish(kDr);
        h.holdChatSeals = true;
        h.send(kDr, R"({"request":"end"})");
    }
    void visit() {
        h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
        h.join(kPat, room, "patient", "pat-1", "Alice Patient");
        admit(kPat);
    }
    const json_t* publish(SessionId s, const std::string& sdp = kAv, const std::string& extra = "") {
        h.sendJsep(s, R"({"request":"publish")" + extra + "}", "offer", sdp);
        return h.lastPush(s);
    }
    const json_t* subscribe(SessionId sub, SessionId owner, SessionId feedOwner, const std::string& mid = "") {
        std::string streams =
            R"([{"feed":")" + h.idOf(feedOwner) + "\"" + (mid.empty() ? "" : R"(,"mid":")" + mid + "\"") + "}]";
        h.send(sub, R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                        std::to_string(privateIdOf(owner)) + R"(,"streams":)" + streams + "}");
        return h.lastPush(sub);
    }
    size_t rtpTo(SessionId s, int mindex = -1) {
        std::lock_guard l(h.host.m);
        size_t n = 0;
        for (const auto& r : h.host.rtp) n += r.to == s && (mindex < 0 || r.mindex == mindex);
        return n;
    }
    const json_t* lastNotify(const std::string& name) {
        const json_t* found = nullptr;
        for (const json_t* e : h.notifies())
            if (jsonString(e, "event").value_or("") == name) found = e;
        return found;
    }
};

TEST_F(RoomMedia, PublishAnswersWithJsepAndAnnouncesThePublisher) {
    visit();
    const json_t* ans = publish(kDr, kAv, R"(,"descriptions":[{"mid":"1","description":"camera"}])");
    ASSERT_EQ(errorCode(ans), 0) << jsonDump(ans);
    EXPECT_EQ(jsonString(ans, "configured").value_or(""), "ok");
    EXPECT_EQ(jsonString(ans, "videoroom").value_or(""), "event") << "VideoRoom clients read the videoroom key";
    const json_t* jsep = h.lastJsep(kDr);
    ASSERT_NE(jsep, nullptr);
    EXPECT_EQ(jsonString(jsep, "type").value_or(""), "answer");
    EXPECT_EQ(jsonString(jsep, "sdp").value_or(""), "answer 0:recv 1:recv 2:recv");
    EXPECT_EQ(json_array_size(json_object_get(ans, "streams")), 3u);

    // The admitted patient learns of the feed, with the streams VideoRoom clients subscribe to.
    const json_t* ev = h.lastPush(kPat);
    const json_t* pubs = json_object_get(ev, "publishers");
    ASSERT_EQ(json_array_size(pubs), 1u) << jsonDump(ev);
    const json_t* p = json_array_get(pubs, 0);
    EXPECT_EQ(jsonString(p, "id").value_or(""), h.idOf(kDr));
    EXPECT_EQ(jsonString(p, "display").value_or(""), "Dr. Provider");
    const json_t* video = json_array_get(json_object_get(p, "streams"), 1);
    EXPECT_EQ(jsonString(video, "type").value_or(""), "video");
    EXPECT_EQ(jsonString(video, "codec").value_or(""), "vp8");
    EXPECT_EQ(jsonString(video, "description").value_or(""), "camera");
    EXPECT_EQ(h.relay.publisherCount(), 1u);

    // The audit event names the pseudonym and the codecs, never the name or the description.
    const json_t* e = lastNotify("published");
    ASSERT_NE(e, nullptr);
    std::string dump = jsonDump(e);
    EXPECT_EQ(jsonString(e, "participant").value_or(""), h.pseudonymOf("dr-1"));
    EXPECT_EQ(dump.find("Provider"), std::string::npos);
    EXPECT_EQ(dump.find("camera"), std::string::npos);
}

TEST_F(RoomMedia, JoinedAnswerCarriesPrivateIdAndCurrentPublishers) {
    h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
    publish(kDr);
    h.join(kPat, room, "patient", "pat-1");
    const json_t* waiting = h.lastPush(kPat);
    EXPECT_EQ(json_object_get(waiting, "private_id"), nullptr) << "waiting participants get no key to media";
    EXPECT_EQ(json_object_get(waiting, "publishers"), nullptr);
    admit(kPat);
    const json_t* joined = nullptr;
    for (const json_t* p : h.pushes(kPat))
        if (kind(p) == "joined") joined = p;
    ASSERT_NE(joined, nullptr);
    EXPECT_GT(jsonInt(joined, "private_id").value_or(0), 0);
    EXPECT_EQ(json_array_size(json_object_get(joined, "publishers")), 1u);
}

TEST_F(RoomMedia, OnlyAdmittedRolesThatMayPublishCanPublish) {
    h.join(kDr, room, "provider", "dr-1");
    h.join(kPat, room, "patient", "pat-1");
    EXPECT_EQ(errorCode(publish(kPat)), room::errc::kForbidden) << "a waiting patient published";
    h.join(kObs, room, "observer", "obs-1");
    admit(kObs);
    EXPECT_EQ(errorCode(publish(kObs)), room::errc::kForbidden) << "an observer published";
    EXPECT_EQ(h.sdp.answers, 0) << "a refused publisher's offer was processed";
    EXPECT_EQ(h.relay.publisherCount(), 0u);
    // The observer may subscribe.
    publish(kDr);
    EXPECT_EQ(kind(subscribe(kObsSub, kObs, kDr)), "attached");
}

TEST_F(RoomMedia, BadOffersAreRefusedWithoutState) {
    visit();
    h.send(kDr, R"({"request":"publish"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kInvalidSdp);
    EXPECT_EQ(errorCode(publish(kDr, "v=garbage")), room::errc::kInvalidSdp);
    EXPECT_EQ(errorCode(publish(kDr, "m=audio pcmu 0\nm=video av1 45")), room::errc::kNoCodec);
    h.sendJsep(kDr, R"({"request":"publish"})", "answer", kAv);
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kInvalidSdp) << "an answer is not an offer";
    EXPECT_EQ(h.relay.publisherCount(), 0u);
    h.send(kDr, R"({"request":"unpublish"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kNotPublishing);
}

// The client chooses a=mid; mids reach kept audit fields (`muted`) and other participants, so an
// offer with a mid outside [A-Za-z0-9_-]{1,16} is refused whole, and the error does not echo it.
TEST_F(RoomMedia, OffersWithHostileMidsAreRefusedWithoutState) {
    visit();
    for (std::string mid : {"Jane Doe", "Jane-Doe-1980-02-29", "078-05-1120\"x", "a=b", "\xc3\xa9", "0;1"}) {
        const json_t* ans = publish(kDr, "m=audio opus 111 mid=" + mid + "\nm=video vp8 96");
        EXPECT_EQ(errorCode(ans), room::errc::kInvalidSdp) << mid;
        EXPECT_EQ(jsonDump(ans).find(mid), std::string::npos) << "the error echoes the mid";
    }
    EXPECT_EQ(h.relay.publisherCount(), 0u);
    EXPECT_EQ(lastNotify("published"), nullptr);
    // Browsers' mids ("0", Firefox's "sdparta_0") and the longest allowed one are fine.
    ASSERT_EQ(errorCode(publish(kDr, "m=audio opus 111 mid=sdparta_0\nm=video vp8 96 mid=abcdefghijklmno-")), 0);
    // A renegotiation is held to the same rule and leaves the publication as it was.
    EXPECT_EQ(errorCode(publish(kDr, "m=audio opus 111 mid=Alice Patient\nm=video vp8 96")), room::errc::kInvalidSdp);
    h.send(kDr, R"({"request":"configure","audio":false})");
    const json_t* muted = lastNotify("muted");
    ASSERT_NE(muted, nullptr);
    EXPECT_EQ(jsonString(muted, "mid").value_or(""), "sdparta_0");
}

TEST_F(RoomMedia, SubscriberGetsOfferStartsAndReceivesRewrittenMedia) {
    visit();
    publish(kDr);
    const json_t* att = subscribe(kPatSub, kPat, kDr);
    ASSERT_EQ(kind(att), "attached") << jsonDump(att);
    const json_t* streams = json_object_get(att, "streams");
    ASSERT_EQ(json_array_size(streams), 3u);
    const json_t* v = json_array_get(streams, 1);
    EXPECT_EQ(jsonString(v, "feed_id").value_or(""), h.idOf(kDr));
    EXPECT_EQ(jsonString(v, "feed_mid").value_or(""), "1");
    EXPECT_EQ(jsonString(v, "feed_display").value_or(""), "Dr. Provider") << "patients see providers' names";
    EXPECT_EQ(jsonString(h.lastJsep(kPatSub), "type").value_or(""), "offer");
    EXPECT_EQ(jsonString(h.lastJsep(kPatSub), "sdp").value_or(""),
              "offer v1 0:audio:opus:111:send 1:video:vp8:96:send 2:data:-:-1:send");

    h.sendJsep(kPatSub, R"({"request":"start"})", "answer", "answer ok");
    EXPECT_EQ(jsonString(h.lastPush(kPatSub), "started").value_or(""), "ok");
    {
        std::lock_guard l(h.host.m);
        EXPECT_FALSE(h.host.plis.empty()) << "no keyframe asked for the new subscriber";
        EXPECT_EQ(h.host.plis.back(), std::make_pair(kDr, 1));
    }
    Rtp pkt(0x1234, 100, 5000);
    auto mp = pkt.packet(1, true);
    h.relay.incomingRtp(kDr, mp);
    EXPECT_EQ(rtpTo(kPatSub, 1), 1u);
    {
        std::lock_guard l(h.host.m);
        EXPECT_NE(h.host.rtp.back().h.ssrc, 0x1234u) << "the subscriber's SSRC is the relay's, not the publisher's";
    }

    // pause / configure (per-stream send) / start
    h.send(kPatSub, R"({"request":"pause"})");
    EXPECT_EQ(jsonString(h.lastPush(kPatSub), "paused").value_or(""), "ok");
    h.relay.incomingRtp(kDr, mp);
    EXPECT_EQ(rtpTo(kPatSub), 1u);
    h.sendJsep(kPatSub, R"({"request":"start"})", "answer", "answer ok");
    h.send(kPatSub, R"({"request":"configure","streams":[{"mid":"1","send":false}]})");
    EXPECT_EQ(jsonString(h.lastPush(kPatSub), "configured").value_or(""), "ok");
    h.relay.incomingRtp(kDr, mp);
    auto ap = pkt.packet(0, false);
    h.relay.incomingRtp(kDr, ap);
    EXPECT_EQ(rtpTo(kPatSub, 1), 1u) << "video was sent after send:false";
    EXPECT_EQ(rtpTo(kPatSub, 0), 1u);

    h.sendJsep(kPatSub, R"({"request":"start"})", "answer", "v=not an answer");
    EXPECT_EQ(errorCode(h.lastPush(kPatSub)), room::errc::kInvalidSdp);
}

TEST_F(RoomMedia, SubscribingNeedsAnAdmittedOwnersPrivateIdAndAPublishedFeed) {
    h.join(kDr, room, "provider", "dr-1");
    publish(kDr);
    h.join(kPat, room, "patient", "pat-1");  // waiting
    h.send(kPatSub, R"({"request":"join","ptype":"subscriber","room":")" + room +
                        R"(","private_id":12345,"streams":[{"feed":")" + h.idOf(kDr) + R"("}]})");
    EXPECT_EQ(errorCode(h.lastPush(kPatSub)), room::errc::kInvalidPrivateId);
    admit(kPat);
    EXPECT_EQ(errorCode(subscribe(kPatSub, kPat, kPat)), room::errc::kNoSuchFeed) << "own or unpublished feed";
    EXPECT_EQ(errorCode(subscribe(kPatSub, kPat, kDr, "9")), room::errc::kNoSuchFeed);
    EXPECT_EQ(kind(subscribe(kPatSub, kPat, kDr, "1")), "attached");
    EXPECT_EQ(json_array_size(json_object_get(h.lastPush(kPatSub), "streams")), 1u);
    // Publisher requests on a subscriber handle and the reverse are refused.
    h.send(kPatSub, R"({"request":"unpublish"})");
    EXPECT_EQ(errorCode(h.lastPush(kPatSub)), room::errc::kWrongHandle);
    h.send(kPat, R"({"request":"pause"})");
    EXPECT_EQ(errorCode(h.lastPush(kPat)), room::errc::kWrongHandle);
}

// A private_id opens subscriber handles only in the Janus session (the browser tab) of its owner:
// from any other session it is refused exactly like a wrong one.
TEST_F(RoomMedia, SubscriberHandlesBelongToTheOwnersJanusSession) {
    visit();
    publish(kDr);
    h.attach(90, 2);  // another tab, which somehow learned the patient's private_id
    EXPECT_EQ(errorCode(subscribe(90, kPat, kDr)), room::errc::kInvalidPrivateId);
    const json_t* refused = h.notifies().back();
    EXPECT_EQ(jsonString(refused, "event").value_or(""), "subscribe");
    EXPECT_EQ(jsonInt(refused, "error_code").value_or(0), room::errc::kInvalidPrivateId);
    h.attach(91, 1);  // the patient's own tab
    EXPECT_EQ(kind(subscribe(91, kPat, kDr)), "attached");
}

// Guessing private_ids: every wrong one counts for the guessing Janus session, which is refused
// (421) once it failed too often, even with the right id.
TEST_F(RoomMedia, PrivateIdGuessesAreCountedAndRateLimited) {
    visit();
    publish(kDr);
    uint64_t right = privateIdOf(kPat);
    SessionId s = 60;
    for (uint64_t guess = 1; guess <= 10; ++guess, ++s) {
        h.attach(s, 1);
        h.send(s, R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                      std::to_string(guess == right ? guess + 100 : guess) + R"(,"streams":[{"feed":")" + h.idOf(kDr) +
                      R"("}]})");
        EXPECT_EQ(errorCode(h.lastPush(s)), room::errc::kInvalidPrivateId);
    }
    h.attach(s, 1);
    EXPECT_EQ(errorCode(subscribe(s, kPat, kDr)), room::errc::kRateLimited);
    // Another tab is not affected.
    h.attach(s + 1, 3);
    h.join(s + 1, room, "provider", "dr-2");
    EXPECT_EQ(kind(h.pushes(s + 1).at(0)), "joined");
}

TEST_F(RoomMedia, UpdateAddsAndRemovesStreamsWithANewOffer) {
    visit();
    publish(kDr);
    subscribe(kPatSub, kPat, kDr, "0");
    h.send(kPatSub, R"({"request":"update","subscribe":[{"feed":")" + h.idOf(kDr) + R"(","mid":"1"}]})");
    const json_t* up = h.lastPush(kPatSub);
    ASSERT_EQ(kind(up), "updated") << jsonDump(up);
    EXPECT_EQ(jsonString(h.lastJsep(kPatSub), "sdp").value_or(""),
              "offer v2 0:audio:opus:111:send 1:video:vp8:96:send");
    h.send(kPatSub, R"({"request":"update","unsubscribe":[{"sub_mid":"0"}]})");
    EXPECT_EQ(jsonString(h.lastJsep(kPatSub), "sdp").value_or(""), "offer v3 0:audio:opus:111:off 1:video:vp8:96:send")
        << "m-lines stay, inactive";
    Rtp pkt(1, 1, 1);
    auto ap = pkt.packet(0, false);
    h.relay.incomingRtp(kDr, ap);
    EXPECT_EQ(rtpTo(kPatSub), 0u) << "an unsubscribed stream still flows";
    // One bad entry refuses the whole update: nothing changes.
    h.send(kPatSub, R"({"request":"update","unsubscribe":[{"sub_mid":"1"},{"sub_mid":"7"}]})");
    EXPECT_EQ(errorCode(h.lastPush(kPatSub)), room::errc::kNoSuchFeed);
    auto vp = pkt.packet(1, true);
    h.relay.incomingRtp(kDr, vp);
    EXPECT_EQ(rtpTo(kPatSub, 1), 1u) << "a refused update unsubscribed mid 1";
}

// ICE restart after a lost connection: a subscriber asks for a new offer (`configure` or `update` with
// `restart`) marked for Janus' core to give it new ICE credentials; a publisher restarts with its own
// offer, which it must send along.
TEST_F(RoomMedia, IceRestartGivesSubscribersANewOfferAndNeedsAPublishersOwnOffer) {
    visit();
    publish(kDr);
    subscribe(kPatSub, kPat, kDr);
    h.sendJsep(kPatSub, R"({"request":"start"})", "answer", "answer ok");
    EXPECT_EQ(json_object_get(h.lastJsep(kPatSub), "restart"), nullptr) << "the first offer is no restart";

    h.clear();
    h.send(kPatSub, R"({"request":"configure","restart":true})");
    const json_t* ans = h.lastPush(kPatSub);
    EXPECT_EQ(jsonString(ans, "configured").value_or(""), "ok") << jsonDump(ans);
    EXPECT_EQ(json_array_size(json_object_get(ans, "streams")), 3u);
    const json_t* jsep = h.lastJsep(kPatSub);
    ASSERT_NE(jsep, nullptr) << "no new offer";
    EXPECT_EQ(jsonString(jsep, "type").value_or(""), "offer");
    EXPECT_TRUE(json_is_true(json_object_get(jsep, "restart")));
    EXPECT_EQ(jsonString(jsep, "sdp").value_or(""),
              "offer v2 0:audio:opus:111:send 1:video:vp8:96:send 2:data:-:-1:send");
    h.sendJsep(kPatSub, R"({"request":"start"})", "answer", "answer ok");
    EXPECT_EQ(jsonString(h.lastPush(kPatSub), "started").value_or(""), "ok");
    Rtp pkt(7, 1, 1);
    auto vp = pkt.packet(1, true);
    h.relay.incomingRtp(kDr, vp);
    EXPECT_EQ(rtpTo(kPatSub, 1), 1u) << "media stopped after the restart";

    h.clear();
    h.send(kPatSub, R"({"request":"update","restart":true})");
    EXPECT_EQ(kind(h.lastPush(kPatSub)), "updated");
    ASSERT_NE(h.lastJsep(kPatSub), nullptr);
    EXPECT_TRUE(json_is_true(json_object_get(h.lastJsep(kPatSub), "restart")));

    h.clear();
    h.send(kPatSub, R"({"request":"configure","streams":[{"mid":"1","send":true}]})");
    EXPECT_EQ(h.lastJsep(kPatSub), nullptr) << "configure without restart renegotiates nothing";

    h.send(kDr, R"({"request":"configure","restart":true})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kInvalidSdp) << "a publisher restarts with its own offer";
    h.sendJsep(kDr, R"({"request":"configure","restart":true})", "offer", kAv);
    EXPECT_EQ(jsonString(h.lastPush(kDr), "configured").value_or(""), "ok");
    EXPECT_EQ(jsonString(h.lastJsep(kDr), "type").value_or(""), "answer");
    EXPECT_EQ(h.relay.publisherCount(), 1u);
    h.sendJsep(kDr, R"({"request":"configure"})", "offer", kAv);  // a renegotiation, no restart

    // Both sides' restarts are counted: the subscriber's two and the publisher's one (not the refused one).
    JsonPtr stats;
    h.admin(R"({"request":"stats"})", &stats);
    EXPECT_EQ(jsonInt(json_object_get(stats.get(), "counters"), "ice_restarts").value_or(0), 3)
        << jsonDump(stats.get());
}

// The visit's rules reach the client in `waiting` and `joined` (privacy screen, indicators, countdowns):
// nothing about anyone, only the class' settings and, once the visit started, how long it has left.
TEST_F(RoomMedia, WaitingAndJoinedCarryTheVisitPolicy) {
    std::string r = h.createRoom("brief");
    h.join(kDr, r, "provider", "dr-1", "Dr. Provider");
    h.advance(30);
    h.join(kPat, r, "patient", "pat-1");
    const json_t* waiting = h.lastPush(kPat);
    ASSERT_EQ(kind(waiting), "waiting");
    const json_t* policy = json_object_get(waiting, "policy");
    EXPECT_EQ(jsonString(policy, "recording").value_or(""), "consent") << jsonDump(waiting);
    EXPECT_TRUE(json_is_false(json_object_get(policy, "chat_kept")));
    EXPECT_EQ(jsonInt(policy, "idle_timeout").value_or(0), 60);
    EXPECT_EQ(jsonInt(policy, "max_visit_length").value_or(0), 4 * 3600);
    EXPECT_EQ(jsonInt(policy, "visit_left").value_or(0), 4 * 3600 - 30);
    h.advance(10);
    h.send(kDr, R"({"request":"admit","id":")" + h.idOf(kPat) + R"("})");
    const json_t* joined = nullptr;
    for (const json_t* p : h.pushes(kPat))
        if (kind(p) == "joined") joined = p;
    ASSERT_NE(joined, nullptr);
    EXPECT_EQ(jsonInt(json_object_get(joined, "policy"), "visit_left").value_or(0), 4 * 3600 - 40);

    std::string e = h.createRoom("e2ee");
    h.join(kObs, e, "provider", "dr-2", "Dr. Two");
    const json_t* p2 = nullptr;
    for (const json_t* p : h.pushes(kObs))
        if (kind(p) == "joined") p2 = json_object_get(p, "policy");
    EXPECT_EQ(jsonString(p2, "recording").value_or(""), "never") << "e2ee rooms are never recorded";
    EXPECT_TRUE(json_is_true(json_object_get(p2, "e2ee")));
}

TEST_F(RoomMedia, ChatIsRelayedToSubscribersAndAuditedWithoutItsText) {
    visit();
    publish(kDr);
    publish(kPat);
    subscribe(kPatSub, kPat, kDr);
    subscribe(kDrSub, kDr, kPat);
    const std::string text = R"({"text":"my SSN is 078-05-1120"})";
    auto chat = [&](SessionId from, const std::string& t) {
        return h.relay.incomingData(from, "chat", false, reinterpret_cast<const uint8_t*>(t.data()), t.size(),
                                    h.nowUs());
    };
    EXPECT_EQ(chat(kDr, text), 1u);
    {
        std::lock_guard l(h.host.m);
        ASSERT_EQ(h.host.data.size(), 1u);
        EXPECT_EQ(h.host.data[0].first, kPatSub);
        EXPECT_EQ(h.host.data[0].second, text);
    }
    // The worker's next tick turns what the relay counted into the audit event.
    h.advance(1);
    h.tick();
    const json_t* e = lastNotify("chat");
    ASSERT_NE(e, nullptr);
    std::string dump = jsonDump(e);
    EXPECT_EQ(jsonInt(e, "messages").value_or(0), 1);
    EXPECT_EQ(jsonInt(e, "bytes").value_or(0), static_cast<int64_t>(text.size()));
    EXPECT_EQ(jsonInt(e, "recipients").value_or(0), 1);
    EXPECT_EQ(json_object_get(e, "dropped"), nullptr);
    EXPECT_EQ(jsonString(e, "participant").value_or(""), h.pseudonymOf("dr-1"));
    EXPECT_EQ(dump.find("078-05"), std::string::npos);
    // Two more within the same second: one summary at the next tick a second later.
    h.clear();
    chat(kDr, "a");
    chat(kDr, "bc");
    h.tick();
    EXPECT_EQ(lastNotify("chat"), nullptr) << "a second chat event within the second";
    h.advance(1);
    h.tick();
    e = lastNotify("chat");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(jsonInt(e, "messages").value_or(0), 2);
    EXPECT_EQ(jsonInt(e, "bytes").value_or(0), 3);
    // Unpublishing reports what is left at once.
    h.clear();
    chat(kDr, "bye");
    h.send(kDr, R"({"request":"unpublish"})");
    e = lastNotify("chat");
    ASSERT_NE(e, nullptr) << "the last messages before unpublish were never audited";
    EXPECT_EQ(jsonInt(e, "messages").value_or(0), 1);
    // Someone waiting has no data stream in the room: nothing relayed.
    h.join(kPat2, room, "patient", "pat-2");
    EXPECT_EQ(chat(kPat2, "x"), 0u);
}

// A class with `chat = "record"`: everyone is told (`policy.chat_kept`), the first publication asks for the
// room's ChatKeeper once (with who is admitted), a kept message is not relayed while no keeper took
// it, and the visit's end seals the kept chat.
TEST_F(RoomMedia, AClassThatKeepsChatSaysSoAndAsksForItsKeeperUntilTheVisitEnds) {
    room = h.createRoom("kept");
    visit();
    for (SessionId s : {kDr, kPat}) {
        const json_t* joined = nullptr;
        for (const json_t* p : h.pushes(s))
            if (kind(p) == "joined") joined = p;
        ASSERT_NE(joined, nullptr);
        EXPECT_EQ(jsonBool(json_object_get(joined, "policy"), "chat_kept"), true) << jsonDump(joined);
    }
    EXPECT_TRUE(h.chatKeeps.empty()) << "asked for before anyone can chat";
    publish(kDr);
    publish(kPat);
    ASSERT_EQ(h.chatKeeps.size(), 1u);
    EXPECT_EQ(h.chatKeeps[0].first, room);
    EXPECT_EQ(h.chatKeeps[0].second.providers, std::vector<std::string>{h.pseudonymOf("dr-1")});
    EXPECT_EQ(h.chatKeeps[0].second.patients, std::vector<std::string>{h.pseudonymOf("pat-1")});
    subscribe(kPatSub, kPat, kDr);
    const std::string text = "CANARY kept";
    EXPECT_EQ(
        h.relay.incomingData(kDr, "chat", false, reinterpret_cast<const uint8_t*>(text.data()), text.size(), h.nowUs()),
        0u);
    EXPECT_EQ(h.relay.chatUnkept(), 1u);
    {
        std::lock_guard l(h.host.m);
        EXPECT_TRUE(h.host.data.empty()) << "relayed without being kept";
    }
    // A second patient admitted later: the kept chat goes on in a segment whose context names her.
    h.join(kPat2, room, "patient", "pat-2");
    admit(kPat2);
    ASSERT_EQ(h.chatKeeps.size(), 2u);
    EXPECT_EQ(h.chatStops, std::vector<std::string>{room});
    const auto& later = h.chatKeeps[1].second.patients;
    EXPECT_EQ(std::set<std::string>(later.begin(), later.end()),
              (std::set<std::string>{h.pseudonymOf("pat-1"), h.pseudonymOf("pat-2")}));
    h.send(kDr, R"({"request":"end"})");
    EXPECT_EQ(h.chatStops, (std::vector<std::string>{room, room}));
    // The visit names both sealed segments, in order, for the EHR.
    ASSERT_EQ(h.visits.size(), 1u);
    EXPECT_EQ(h.visits[0].keptRecordings, (std::vector<std::string>{"kept-1", "kept-2"}));
    EXPECT_TRUE(h.visits[0].keptToEhr);
}

// The visit's end waits for the recorder to seal the kept chat: VisitEnded is published when it
// answers, naming the recording; a class with `kept_to_ehr = false` says so.
TEST_F(RoomMedia, TheVisitsEndIsPublishedOnceItsKeptChatIsSealed) {
    endKeptVisitWithItsSealHeld();
    EXPECT_TRUE(h.visits.empty()) << "published before the kept chat was sealed";
    ASSERT_EQ(h.heldChatSeals.size(), 1u);
    EXPECT_TRUE(h.service().chatSealed(h.heldChatSeals[0] + 1000, "unknown-ticket").empty());
    Effects out = h.service().chatSealed(h.heldChatSeals[0], "sealed-chat");
    ASSERT_EQ(h.visits.size(), 1u);
    EXPECT_EQ(h.visits[0].keptRecordings, std::vector<std::string>{"sealed-chat"});
    EXPECT_FALSE(h.visits[0].keptToEhr);
    bool event = false;
    for (const auto& e : out) event = event || jsonString(e.body.get(), "event").value_or("") == "visit_ended";
    EXPECT_TRUE(event) << "the PHI-free visit_ended event follows the publication";
    EXPECT_TRUE(h.service().chatSealed(h.heldChatSeals[0], "again").empty());  // answered once
    EXPECT_EQ(h.visits.size(), 1u);
}

// The ended visit waiting for its seal outlives the room: an Admin `destroy` right after the end (what a
// clinic's app may well do) publishes it when the seal comes; a recorder that never answers holds the
// visit back 60 s at most, then it is published with what was sealed by then, and counted.
TEST_F(RoomMedia, AVisitWaitingForItsSealSurvivesTheRoomsDestroy) {
    endKeptVisitWithItsSealHeld();
    h.admin(R"({"request":"destroy","room":")" + room + R"("})");
    EXPECT_TRUE(h.visits.empty());
    ASSERT_EQ(h.heldChatSeals.size(), 1u);
    h.service().chatSealed(h.heldChatSeals[0], "sealed-after-destroy");
    ASSERT_EQ(h.visits.size(), 1u) << "the visit of a destroyed room was lost";
    EXPECT_EQ(h.visits[0].roomId, room);
    EXPECT_EQ(h.visits[0].keptRecordings, std::vector<std::string>{"sealed-after-destroy"});
}

TEST_F(RoomMedia, ARecorderThatNeverSealsHoldsTheVisitBackAMinuteAtMost) {
    endKeptVisitWithItsSealHeld();
    ASSERT_EQ(h.heldChatSeals.size(), 1u);
    const size_t before = h.visits.size();
    h.advance(59);
    h.tick();
    EXPECT_EQ(h.visits.size(), before) << "published before the recorder had its time";
    h.advance(2);
    h.tick();
    ASSERT_EQ(h.visits.size(), before + 1) << "a hung recorder held the visit back";
    EXPECT_TRUE(h.visits.back().keptRecordings.empty());
    JsonPtr stats;
    h.admin(R"({"request":"stats"})", &stats);
    EXPECT_EQ(jsonInt(json_object_get(stats.get(), "counters"), "visits_ended_unsealed").value_or(0), 1);
    EXPECT_TRUE(h.service().chatSealed(h.heldChatSeals[0], "too-late").empty());
    EXPECT_EQ(h.visits.size(), before + 1);
}

// `documents = "record"` with chat relayed: the visit still gets a keeper (documents are sealed in the
// kept chat's recording), everyone is told, and chat messages are relayed without being kept.
TEST_F(RoomMedia, AClassThatKeepsDocumentsRunsAKeeperButRelaysChatUnkept) {
    room = h.createRoom("keptdocs");
    visit();
    const json_t* joined = nullptr;
    for (const json_t* p : h.pushes(kPat))
        if (kind(p) == "joined") joined = p;
    ASSERT_NE(joined, nullptr);
    EXPECT_EQ(jsonBool(json_object_get(joined, "policy"), "documents_kept"), true) << jsonDump(joined);
    EXPECT_EQ(jsonBool(json_object_get(joined, "policy"), "chat_kept"), false) << jsonDump(joined);
    // What a client checks before sending (a larger document would be refused 480 by the room anyway).
    EXPECT_EQ(jsonInt(json_object_get(joined, "policy"), "document_max_bytes").value_or(-1), 123456);
    publish(kDr);
    ASSERT_EQ(h.chatKeeps.size(), 1u);
    subscribe(kPatSub, kPat, kDr);
    const std::string text = "relayed";
    EXPECT_EQ(
        h.relay.incomingData(kDr, "chat", false, reinterpret_cast<const uint8_t*>(text.data()), text.size(), h.nowUs()),
        1u);
    EXPECT_EQ(h.relay.chatUnkept(), 0u);
    h.send(kDr, R"({"request":"end"})");
    EXPECT_EQ(h.chatStops, std::vector<std::string>{room});
}

// Chat or a document from someone still waiting: the relay has no data stream of theirs and drops it;
// the room refuses it with 484 and records that (PHI-free), for the waiting participant only.
TEST_F(RoomMedia, DataFromTheWaitingRoomIsRefusedAndRecorded) {
    visit();
    h.join(kPat2, room, "patient", "pat-2");  // waiting
    bool noDataStream = false;
    const std::string text = "CANARY from the waiting room";
    EXPECT_EQ(h.relay.incomingData(kPat2, "chat", false, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                   h.nowUs(), &noDataStream),
              0u);
    EXPECT_TRUE(noDataStream);
    Effects out = h.service().dataWhileWaiting(kPat2, false, 3);
    ASSERT_EQ(out.size(), 1u);
    const json_t* e = out[0].body.get();
    EXPECT_EQ(jsonString(e, "event").value_or(""), "chat");
    EXPECT_EQ(jsonString(e, "outcome").value_or(""), "refused");
    EXPECT_EQ(jsonInt(e, "error_code").value_or(0), room::errc::kDataWhileWaiting);
    EXPECT_EQ(jsonString(e, "reason").value_or(""), "waiting");
    EXPECT_EQ(jsonString(e, "participant").value_or(""), h.pseudonymOf("pat-2"));
    EXPECT_EQ(jsonDump(e).find("CANARY"), std::string::npos);
    out = h.service().dataWhileWaiting(kPat2, true, 1);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(jsonString(out[0].body.get(), "event").value_or(""), "document");
    EXPECT_EQ(jsonInt(out[0].body.get(), "error_code").value_or(0), room::errc::kDataWhileWaiting);
    // An admitted participant (or an unknown handle) is not someone waiting: nothing recorded.
    EXPECT_TRUE(h.service().dataWhileWaiting(kPat, false, 1).empty());
    EXPECT_TRUE(h.service().dataWhileWaiting(987654, false, 1).empty());
}

// The kept chat cannot be kept (the recorder did not start the keeper, or it failed): every admitted
// participant is told (a client shows it), never someone waiting; a PHI-free event records it.
TEST_F(RoomMedia, ParticipantsAreToldWhenTheirKeptChatCannotBeKept) {
    room = h.createRoom("kept");
    visit();
    h.join(kPat2, room, "patient", "pat-2");  // waiting
    Effects out = h.service().chatUnkept(room, "no_keeper");
    std::set<SessionId> told;
    bool event = false;
    for (const auto& e : out) {
        if (e.kind == Effect::Kind::Push) {
            EXPECT_EQ(jsonBool(e.body.get(), "chat_kept"), false) << jsonDump(e.body.get());
            EXPECT_EQ(jsonString(e.body.get(), "reason").value_or(""), "no_keeper");
            told.insert(e.session);
        }
        event = event || jsonString(e.body.get(), "event").value_or("") == "chat_unkept";
    }
    EXPECT_EQ(told, (std::set<SessionId>{kDr, kPat}));
    EXPECT_TRUE(event);
    EXPECT_TRUE(h.service().chatUnkept("no-such-room", "no_keeper").empty());
}

TEST_F(RoomMedia, ARelayClassSaysTheChatIsNotKeptAndAsksForNoKeeper) {
    visit();
    const json_t* joined = nullptr;
    for (const json_t* p : h.pushes(kPat))
        if (kind(p) == "joined") joined = p;
    ASSERT_NE(joined, nullptr);
    EXPECT_EQ(jsonBool(json_object_get(joined, "policy"), "chat_kept"), false) << jsonDump(joined);
    publish(kDr);
    h.send(kDr, R"({"request":"end"})");
    EXPECT_TRUE(h.chatKeeps.empty());
    EXPECT_TRUE(h.chatStops.empty());
}

// Over the limit (default: a burst of 60, then 20 per second) messages are not relayed; the summary
// says how many were dropped.
TEST_F(RoomMedia, ChatOverTheLimitIsDroppedAndCounted) {
    visit();
    publish(kDr);
    subscribe(kPatSub, kPat, kDr);
    auto chat = [&] {
        return h.relay.incomingData(kDr, "chat", false, reinterpret_cast<const uint8_t*>("x"), 1, h.nowUs());
    };
    size_t relayed = 0;
    for (int i = 0; i < 100; ++i) relayed += chat();
    EXPECT_EQ(relayed, 60u);
    h.advance(1);  // 20 more tokens
    for (int i = 0; i < 30; ++i) relayed += chat();
    EXPECT_EQ(relayed, 80u);
    EXPECT_EQ(h.relay.chatRelayed(), 80u);
    EXPECT_EQ(h.relay.chatDropped(), 50u);
    // A wall clock set back an hour does not block chat for an hour.
    EXPECT_EQ(
        h.relay.incomingData(kDr, "chat", false, reinterpret_cast<const uint8_t*>("x"), 1, h.nowUs() - 3600'000'000LL),
        1u);
    relayed += 1;
    h.tick();
    const json_t* e = lastNotify("chat");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(jsonInt(e, "messages").value_or(0), 81);
    EXPECT_EQ(jsonInt(e, "dropped").value_or(0), 50);
}

TEST_F(RoomMedia, MuteStopsTheStreamIsAuditedAndAnnounced) {
    visit();
    publish(kDr);
    publish(kPat);
    subscribe(kPatSub, kPat, kDr);
    h.send(kDr, R"({"request":"configure","audio":false})");
    EXPECT_EQ(jsonString(h.lastPush(kDr), "configured").value_or(""), "ok");
    const json_t* e = lastNotify("muted");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(jsonString(e, "type").value_or(""), "audio");
    EXPECT_EQ(jsonString(e, "participant").value_or(""), h.pseudonymOf("dr-1"));
    const json_t* ann = h.lastPush(kPat);
    EXPECT_TRUE(json_is_true(json_object_get(
        json_array_get(json_object_get(json_array_get(json_object_get(ann, "publishers"), 0), "streams"), 0), "muted")))
        << jsonDump(ann);
    Rtp pkt(1, 1, 1);
    auto ap = pkt.packet(0, false);
    auto vp = pkt.packet(1, true);
    h.relay.incomingRtp(kDr, ap);
    h.relay.incomingRtp(kDr, vp);
    EXPECT_EQ(rtpTo(kPatSub, 0), 0u) << "muted audio was relayed";
    EXPECT_EQ(rtpTo(kPatSub, 1), 1u);

    // The provider mutes the patient's microphone (moderate), by mid.
    h.send(kDr, R"({"request":"moderate","id":")" + h.idOf(kPat) + R"(","mid":"0","mute":true})");
    bool answered = false;
    for (const json_t* p : h.pushes(kDr)) answered |= jsonString(p, "result").value_or("") == "muted";
    EXPECT_TRUE(answered);
    EXPECT_EQ(jsonString(lastNotify("muted"), "by").value_or(""), h.pseudonymOf("dr-1"));
    EXPECT_EQ(jsonString(h.lastPush(kPat), "moderation").value_or(""), "muted");
    // Patients may not moderate.
    h.send(kPat, R"({"request":"moderate","id":")" + h.idOf(kDr) + R"(","mute":true})");
    EXPECT_EQ(errorCode(h.lastPush(kPat)), room::errc::kForbidden);
}

TEST_F(RoomMedia, ScreenShareIsItsOwnFlaggedStreamAllowedByRole) {
    visit();
    publish(kPat);
    EXPECT_EQ(errorCode(publish(kPat, kAvScreen, R"(,"screen":true)")), room::errc::kForbidden)
        << "patients may not share a screen by default";
    EXPECT_NE(lastNotify("role_denied"), nullptr);

    publish(kDr);
    h.sendJsep(kDr, R"({"request":"configure","screen":true})", "offer", kAvScreen);
    EXPECT_EQ(jsonString(h.lastPush(kDr), "configured").value_or(""), "ok");
    const json_t* started = lastNotify("screen_share_started");
    ASSERT_NE(started, nullptr);
    EXPECT_EQ(jsonString(started, "participant").value_or(""), h.pseudonymOf("dr-1"));
    const json_t* pubs = json_object_get(h.lastPush(kPat), "publishers");
    const json_t* screen = json_array_get(json_object_get(json_array_get(pubs, 0), "streams"), 3);
    EXPECT_TRUE(json_is_true(json_object_get(screen, "screen"))) << jsonDump(h.lastPush(kPat));
    EXPECT_EQ(json_object_get(json_array_get(json_object_get(json_array_get(pubs, 0), "streams"), 1), "screen"),
              nullptr);

    // janus.js removes the screen track: the m-line comes back inactive.
    h.sendJsep(kDr, R"({"request":"configure","screen":false})", "offer",
               std::string(kAv) + "\nm=video vp8 96 inactive");
    EXPECT_NE(lastNotify("screen_share_stopped"), nullptr);
}

TEST_F(RoomMedia, EndToEndEncryptedRoomsOnlyRelayAndNeverRecord) {
    std::string e2 = h.createRoom("e2ee");
    h.join(kDr, e2, "provider", "dr-1");
    h.join(kPat, e2, "patient", "pat-1");
    h.send(kDr, R"({"request":"admit","id":")" + h.idOf(kPat) + R"("})");
    h.sendJsep(kDr, R"({"request":"publish"})", "offer", kAv);
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kE2eeRequired);
    h.sendJsep(kDr, R"({"request":"publish"})", "offer", kAv, true);
    EXPECT_EQ(jsonString(h.lastPush(kDr), "configured").value_or(""), "ok");
    EXPECT_TRUE(json_is_true(json_object_get(h.lastJsep(kDr), "e2ee")));
    h.send(kPatSub, R"({"request":"join","ptype":"subscriber","room":")" + e2 + R"(","private_id":)" +
                        std::to_string(privateIdOf(kPat)) + R"(,"streams":[{"feed":")" + h.idOf(kDr) + R"("}]})");
    EXPECT_TRUE(json_is_true(json_object_get(h.lastJsep(kPatSub), "e2ee")));
    h.send(kDr, R"({"request":"record"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kRecordE2ee);
    // ...and a plain room refuses e2ee publishers (its recordings would be ciphertext).
    h.join(kPat2, room, "provider", "dr-2");
    h.sendJsep(kPat2, R"({"request":"publish"})", "offer", kAv, true);
    EXPECT_EQ(errorCode(h.lastPush(kPat2)), room::errc::kE2eeRequired);
}

TEST_F(RoomMedia, LeavingOrGoingBackToWaitingStopsAllTheirMedia) {
    visit();
    publish(kDr);
    publish(kPat);
    subscribe(kPatSub, kPat, kDr);
    subscribe(kDrSub, kDr, kPat);
    h.send(kDr, R"({"request":"send_to_waiting","id":")" + h.idOf(kPat) + R"("})");
    EXPECT_TRUE(h.ended(kPatSub)) << "the patient's subscriber handle stays open in the waiting room";
    EXPECT_TRUE(h.hungUp(kPat)) << "the patient's PeerConnection stays up in the waiting room";
    bool unpublished = false;
    for (const json_t* p : h.pushes(kDr)) unpublished |= jsonString(p, "unpublished").value_or("") == h.idOf(kPat);
    EXPECT_TRUE(unpublished);
    Rtp pkt(1, 1, 1);
    auto vp = pkt.packet(1, true);
    h.relay.incomingRtp(kDr, vp);
    h.relay.incomingRtp(kPat, vp);
    EXPECT_EQ(rtpTo(kPatSub), 0u);
    EXPECT_EQ(rtpTo(kDrSub), 0u);
    EXPECT_EQ(h.relay.publisherCount(), 1u);

    // Leaving ends one's subscriber handles too; the Janus handle going away unpublishes.
    h.send(kDr, R"({"request":"leave"})");
    EXPECT_TRUE(h.ended(kDrSub));
    EXPECT_EQ(h.relay.publisherCount(), 0u);
}

TEST_F(RoomMedia, HangupUnpublishesAndSubscriberHandlesGoWithTheirJanusHandle) {
    visit();
    publish(kDr);
    subscribe(kPatSub, kPat, kDr);
    h.service().sessionGone(kPatSub, RoomHarness::kStartUs);
    Rtp pkt(1, 1, 1);
    auto vp = pkt.packet(1, true);
    h.relay.incomingRtp(kDr, vp);
    EXPECT_EQ(rtpTo(kPatSub), 0u);
    Effects out = h.service().mediaGone(kDr, RoomHarness::kStartUs);
    bool told = false;
    for (const auto& e : out)
        told |= e.kind == Effect::Kind::Push && e.session == kPat &&
                jsonString(e.body.get(), "unpublished").value_or("") == h.idOf(kDr);
    EXPECT_TRUE(told);
    EXPECT_EQ(h.relay.publisherCount(), 0u);
}

TEST_F(RoomMedia, RoomClassCapsBitrateAndPublishers) {
    std::string capped = h.createRoom("capped");
    h.join(kDr, capped, "provider", "dr-1");
    h.join(kPat, capped, "provider", "dr-2");
    h.sendJsep(kDr, R"({"request":"publish"})", "offer", kAv);
    EXPECT_EQ(h.sdp.lastPolicy.videoBitrateBps, 256000u) << "b=AS not asked for";
    Rtp pkt(1, 1, 1);
    auto vp = pkt.packet(1, true);
    h.relay.incomingRtp(kDr, vp);
    {
        std::lock_guard l(h.host.m);
        ASSERT_FALSE(h.host.rembs.empty());
        EXPECT_EQ(h.host.rembs.back(), std::make_pair(kDr, 256000u));
    }
    h.sendJsep(kPat, R"({"request":"publish"})", "offer", kAv);
    EXPECT_EQ(errorCode(h.lastPush(kPat)), room::errc::kTooManyPublishers);
}

TEST_F(RoomMedia, TheClassChoosesTheVideoCodec) {
    room = h.createRoom("h264");
    h.join(kDr, room, "provider", "dr-1");
    EXPECT_EQ(errorCode(publish(kDr, "m=video vp8 96")), room::errc::kNoCodec);
    EXPECT_EQ(h.sdp.lastPolicy.videoCodecs, (std::vector<std::string>{"h264"}));
    EXPECT_EQ(errorCode(publish(kDr, "m=audio opus 111\nm=video h264 102")), 0);
}

TEST_F(RoomMedia, MediaCountsAsActivityForTheIdleTimeout) {
    room = h.createRoom("brief");
    visit();
    publish(kDr);
    Rtp pkt(1, 1, 1);
    auto ap = pkt.packet(0, false);
    for (int i = 0; i < 6; ++i) {  // 6 x 30 s > the class's 60 s idle timeout, with media flowing
        h.advance(30);
        h.relay.incomingRtp(kDr, ap);
        h.tick();
    }
    EXPECT_FALSE(h.ended(kDr)) << "a publishing provider was ended as idle";
    EXPECT_TRUE(h.ended(kPat)) << "the silent patient should have idled out";
}

TEST_F(RoomMedia, AnObserverWhoOnlyWatchesIsNotIdle) {
    room = h.createRoom("brief");
    visit();
    h.join(kObs, room, "observer", "obs-1");
    admit(kObs);
    publish(kDr);
    subscribe(kObsSub, kObs, kDr);
    Rtp pkt(1, 1, 1);
    auto ap = pkt.packet(0, false);
    for (int i = 0; i < 6; ++i) {
        h.advance(30);
        h.relay.incomingRtp(kDr, ap);
        h.tick();
    }
    EXPECT_FALSE(h.ended(kObs)) << "media flowing to the observer's subscriber handle is activity";
    EXPECT_TRUE(h.ended(kPat));
}

}  // namespace

namespace {

TEST(RoomMediaClasses, ConfigKeys) {
    Config cfg(
        jsonParse(R"({"class-x":{"videocodec":"h264,vp9","bitrate":512000,"publishers":3,"widen_patient":"screen"}})"));
    RoomClass c = RoomClass::fromConfig(cfg, "x");
    EXPECT_NO_THROW(cfg.finish());
    EXPECT_EQ(c.videoCodecs, (std::vector<std::string>{"h264", "vp9"}));
    EXPECT_EQ(c.bitrate, 512000u);
    EXPECT_EQ(c.publishers, 3);
    EXPECT_TRUE(c.of(Role::Patient).screen);
    EXPECT_TRUE(RoomClass{}.of(Role::Provider).screen);
    EXPECT_FALSE(RoomClass{}.of(Role::Interpreter).screen);
    EXPECT_FALSE(c.chatKept);  // `chat` defaults to "relay"
    Config kept(jsonParse(R"({"class-x":{"chat":"record"}})"));
    EXPECT_TRUE(RoomClass::fromConfig(kept, "x").chatKept);
    EXPECT_FALSE(RoomClass::fromConfig(kept, "x").documentsKept);  // `documents` defaults to "relay"
    Config docs(jsonParse(R"({"class-x":{"documents":"record"}})"));
    EXPECT_TRUE(RoomClass::fromConfig(docs, "x").documentsKept);
    EXPECT_TRUE(RoomClass::fromConfig(docs, "x").keeper());
    for (const char* bad :
         {R"({"class-x":{"videocodec":"av1"}})", R"({"class-x":{"videocodec":""}})", R"({"class-x":{"publishers":0}})",
          R"({"class-x":{"bitrate":-1}})", R"({"class-x":{"chat":"keep"}})", R"({"class-x":{"documents":"keep"}})"}) {
        Config b(jsonParse(bad));
        EXPECT_THROW(RoomClass::fromConfig(b, "x"), ConfigError) << bad;
    }
}

}  // namespace

namespace {

class RoomMediaSlowLink : public RoomMedia {};

TEST_F(RoomMediaSlowLink, TheHandlesClientIsToldAndTheEventIsPhiFree) {
    visit();
    publish(kDr);
    subscribe(kPatSub, kPat, kDr);
    Effects out = h.service().slowLink(kPatSub, true, true, RoomHarness::kStartUs);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].session, kPatSub);
    EXPECT_EQ(jsonString(json_object_get(out[0].body.get(), "slow_link"), "direction").value_or(""), "to_peer");
    EXPECT_EQ(jsonString(out[1].body.get(), "participant").value_or(""), h.pseudonymOf("pat-1"))
        << "the subscriber's owner";
    EXPECT_EQ(jsonString(out[1].body.get(), "handle").value_or(""), "subscriber");
    EXPECT_TRUE(h.service().slowLink(999, false, false, RoomHarness::kStartUs).empty())
        << "unknown handles are ignored";
}

}  // namespace
