// SPDX-License-Identifier: GPL-3.0-or-later
// The packet path through the glue, as Janus drives it: incoming_rtp on a publisher's handle, the room's
// MediaRelay fanning out to subscriber handles, relay_rtp back into the core. Checks that it takes no
// lock per packet (mutexes counted on the media thread) and that a subscriber's handle stays valid
// memory for as long as a subscription can use it, and no longer.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <deque>
#include <memory>
#include <vector>

#include "FakeGateway.hpp"
#include "MediaRelay.hpp"
#include "MutexCount.hpp"
#include "RtpRewriter.hpp"
#include "TempDir.hpp"
#include "hipaa/glue/MediaPluginGlue.hpp"

using namespace hipaa;
using namespace hipaa::test;

namespace {

// The room's media side without its signalling: the test thread plays the room worker.
class RelayCore final : public MediaPluginCore {
public:
    explicit RelayCore(MediaHost& host) : relay(host) { instance = this; }
    ~RelayCore() override { instance = nullptr; }
    void createSession(SessionId id) override { last = id; }
    void destroySession(SessionId id) override { relay.removeSession(id); }
    Reply handleMessage(SessionId, const std::string&, JsonPtr, JsonPtr) override { return Reply::ok(jsonObject()); }
    JsonPtr handleAdmin(const json_t*) override { return jsonObject(); }
    JsonPtr querySession(SessionId) override { return jsonObject(); }
    void hangupMedia(SessionId id) override { relay.removeSession(id); }
    void incomingRtp(SessionId id, MediaPacket& p) noexcept override { relay.incomingRtp(id, p); }

    room::MediaRelay relay;
    SessionId last = 0;
    static inline RelayCore* instance = nullptr;
};

struct RelayTraits {
    static constexpr PluginInfo kInfo{"janus.plugin.hipaa.relaytest", "relay", "test core", "0.0.1", 1, "hipaa.test"};
    static std::unique_ptr<MediaPluginCore> create(const std::string&, Logger, MediaHost& host) {
        return std::make_unique<RelayCore>(host);
    }
};
using Glue = glue::MediaPluginGlue<RelayTraits>;

// janus_callbacks whose media calls only count (FakeGateway's take a mutex, which would be counted).
struct CountingGateway {
    static inline std::atomic<int> rtp{0}, plis{0};
    static inline std::atomic<const janus_plugin_session*> gone{nullptr};  // freed: must never be relayed to
    static inline std::atomic<int> toGone{0};
    static inline std::atomic<int> freedHandles{0};
    // A handle as Janus allocates it: freed (g_free) when its last reference goes.
    static janus_plugin_session* newHandle() {
        auto* h = g_new0(janus_plugin_session, 1);
        h->ref.count = 1;  // the core's
        h->ref.free = [](const janus_refcount* r) {
            auto* s = janus_refcount_containerof(r, janus_plugin_session, ref);
            gone.store(s);
            freedHandles.fetch_add(1);
            g_free(s);
        };
        return h;
    }
    static void relayRtp(janus_plugin_session* h, janus_plugin_rtp*) {
        if (h == gone.load()) toGone.fetch_add(1);
        rtp.fetch_add(1);
    }
    static void sendPli(janus_plugin_session*) { plis.fetch_add(1); }
    static void sendPliStream(janus_plugin_session*, int) { plis.fetch_add(1); }
    static void sendRemb(janus_plugin_session*, guint32) {}
    static janus_callbacks* callbacks() {
        const janus_callbacks* f = FakeGateway::instance().callbacks();
        static janus_callbacks cb = {
            .push_event = f->push_event,
            .relay_rtp = &relayRtp,
            .relay_rtcp = f->relay_rtcp,
            .relay_data = f->relay_data,
            .send_pli = &sendPli,
            .send_pli_stream = &sendPliStream,
            .send_remb = &sendRemb,
            .close_pc = f->close_pc,
            .end_session = f->end_session,
            .events_is_enabled = f->events_is_enabled,
            .notify_event = f->notify_event,
            .auth_is_signed = f->auth_is_signed,
            .auth_is_signature_valid = f->auth_is_signature_valid,
            .auth_signature_contains = f->auth_signature_contains,
        };
        rtp = 0;
        plis = 0;
        gone = nullptr;
        toGone = 0;
        freedHandles = 0;
        return &cb;
    }
};

std::vector<room::RelayStream> audioVideo() { return {{0, false, "opus", 111}, {1, true, "vp8", 96}}; }

class MediaHotPath : public ::testing::Test {
protected:
    void SetUp() override {
        FakeGateway::instance().reset();
        p = Glue::table();
        ASSERT_EQ(p->init(CountingGateway::callbacks(), dir.path().c_str()), 0);
    }
    void TearDown() override { p->destroy(); }
    SessionId create(janus_plugin_session* h) {
        int err = 0;
        p->create_session(h, &err);
        EXPECT_EQ(err, 0);
        return RelayCore::instance->last;
    }
    room::MediaRelay& relay() { return RelayCore::instance->relay; }
    // One RTP packet on the publisher's video m-line, as the core hands it to the plugin.
    void sendVideo(janus_plugin_session* from, uint16_t seq) {
        std::array<uint8_t, 100> buf{};
        buf[0] = 0x80;
        buf[1] = 96;
        room::RtpRewriter::write(buf.data(), {0x1234, seq, seq * 3000u});
        janus_plugin_rtp rtp{};
        rtp.mindex = 1;
        rtp.video = TRUE;
        rtp.buffer = reinterpret_cast<char*>(buf.data());
        rtp.length = buf.size();
        p->incoming_rtp(from, &rtp);
    }

    // A handle as the core allocates it; it lives until the fixture goes, after the plugin (whose
    // relay may still hold references until it is destroyed).
    FakeHandle& handle() { return handles.emplace_back(); }

    TempDir dir;
    janus_plugin* p = nullptr;
    std::deque<FakeHandle> handles;
};

}  // namespace

// One publisher, eight subscribers: every packet reaches every subscriber's handle, and the media
// thread locks no mutex on the way (before: the glue's plugin-wide mutex once per subscriber per packet,
// to look the handle up).
TEST_F(MediaHotPath, RelayingToEightSubscribersLocksNoMutex) {
    FakeHandle& pub = handle();
    std::vector<FakeHandle*> subs;
    for (int i = 0; i < 8; ++i) subs.push_back(&handle());
    SessionId pubId = create(&pub.session);
    relay().publish(pubId, "r1", 100, audioVideo(), 0, false);
    for (auto* s : subs) ASSERT_TRUE(relay().subscribe(create(&s->session), 100, 1, 0));

    sendVideo(&pub.session, 1);  // first packet outside the count
    long before = mutexLocksOnThisThread();
    for (uint16_t seq = 2; seq < 102; ++seq) sendVideo(&pub.session, seq);
    long locks = mutexLocksOnThisThread() - before;
    EXPECT_EQ(CountingGateway::rtp.load(), 101 * 8);
    EXPECT_EQ(locks, 0) << "mutex locks on the media thread while relaying 100 packets to 8 subscribers";

    int err = 0;
    for (auto* s : subs) p->destroy_session(&s->session, &err);
    p->destroy_session(&pub.session, &err);
}

// Janus ends a subscriber's session while its publisher keeps sending: the subscription's reference
// keeps the handle's memory valid (packets in flight see `stopped` and are dropped), and the handle
// is freed only when the relay reclaims the subscription, on the thread that reclaims.
TEST_F(MediaHotPath, ASubscribersHandleIsFreedOnlyWhenItsSubscriptionIsReclaimed) {
    FakeHandle& pub = handle();
    janus_plugin_session* sub = CountingGateway::newHandle();
    SessionId pubId = create(&pub.session);
    relay().publish(pubId, "r1", 100, audioVideo(), 0, false);
    ASSERT_TRUE(relay().subscribe(create(sub), 100, 1, 0));
    EXPECT_EQ(sub->ref.count, 3) << "Janus', the glue's and the subscription's";
    sendVideo(&pub.session, 1);
    EXPECT_EQ(CountingGateway::rtp.load(), 1);

    g_atomic_int_set(&sub->stopped, 1);  // janus_ice_handle_detach: stopped, destroy_session, unref
    sendVideo(&pub.session, 2);
    int err = 0;
    p->destroy_session(sub, &err);
    janus_refcount_decrease(&sub->ref);
    EXPECT_EQ(CountingGateway::freedHandles.load(), 0) << "freed while a media thread may still use it";
    sendVideo(&pub.session, 3);
    EXPECT_EQ(CountingGateway::rtp.load(), 1) << "a stopped handle got packets";

    relay().reclaim();
    EXPECT_EQ(CountingGateway::freedHandles.load(), 1) << "the subscription's reference was not dropped";
    sendVideo(&pub.session, 4);
    EXPECT_EQ(CountingGateway::toGone.load(), 0);
    p->destroy_session(&pub.session, &err);
}

// Janus stops a handle before it calls destroy_session; a publish or subscribe the room worker had
// queued before that loses the race: nothing is registered and no reference is taken.
TEST_F(MediaHotPath, NothingIsRegisteredForAStoppedHandle) {
    FakeHandle &pub = handle(), &sub = handle(), &late = handle();
    SessionId pubId = create(&pub.session);
    SessionId subId = create(&sub.session);
    SessionId lateId = create(&late.session);
    relay().publish(pubId, "r1", 100, audioVideo(), 0, false);
    g_atomic_int_set(&sub.session.stopped, 1);
    EXPECT_FALSE(relay().subscribe(subId, 100, 1, 0));
    EXPECT_EQ(sub.refs(), 2);
    g_atomic_int_set(&late.session.stopped, 1);
    relay().publish(lateId, "r1", 200, audioVideo(), 0, false);
    EXPECT_EQ(relay().publisherCount(), 1u);
    EXPECT_EQ(late.refs(), 2);
    int err = 0;
    for (auto* h : {&late.session, &sub.session, &pub.session}) p->destroy_session(h, &err);
}
