// SPDX-License-Identifier: GPL-3.0-or-later
// Per-packet cost of the room's media path as Janus drives it (Google Benchmark): incoming_rtp on a
// publisher's handle through the glue into the relay, fanned out to N subscriber handles, each copy
// handed to relay_rtp (a no-op here, so what is measured is the plugin's share alone).
//   build/tests/bench/bench_relay [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
// Relay/N: MediaRelay (RCU snapshots, handles resolved once per subscription). Baseline/N: the packet
// path it replaced, kept here as BaselineRelay: std::atomic<std::shared_ptr> snapshots and the glue's
// handle lookup under its plugin-wide mutex once per subscriber and packet. N subscribers; threads:T:
// T publishers on T media threads at once (T simultaneous consults), each to its own N subscribers,
// so what they share is what contends. Time per iteration = one incoming packet; items = copies sent.
#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "FakeGateway.hpp"
#include "MediaRelay.hpp"
#include "RtpRewriter.hpp"
#include "hipaa/glue/MediaPluginGlue.hpp"

using namespace hipaa;
using namespace hipaa::test;
using hipaa::room::RtpRewriter;

namespace {

// The relay's packet path before the change, reduced to what a packet touches: a publisher map and
// per-publisher fan-out lists behind std::atomic<std::shared_ptr> (a lock bit in libstdc++ 12), a spin
// flag around each subscriber stream's rewriter, and MediaHost::relayRtp by session id (the glue's
// lookup under its mutex).
class BaselineRelay {
public:
    explicit BaselineRelay(MediaHost& host) : host_(host) {}

    void publish(SessionId session, uint64_t feed) {
        std::lock_guard lock(mutex_);
        auto p = std::make_shared<Publisher>();
        p->session = session;
        p->feed = feed;
        p->fanout.store(std::make_shared<const Fanout>(2));
        publishers_[session] = p;
        publishersSnap_.store(std::make_shared<const PublisherMap>(publishers_));
    }
    void subscribe(SessionId subscriber, uint64_t feed) {
        std::lock_guard lock(mutex_);
        for (auto& [s, p] : publishers_)
            if (p->feed == feed) {
                auto fan = std::make_shared<Fanout>(*p->fanout.load());
                (*fan)[1].push_back(std::make_shared<SubStream>(subscriber, nextSsrc_++));
                p->fanout.store(std::move(fan));
            }
    }
    void removeSession(SessionId session) {
        std::lock_guard lock(mutex_);
        publishers_.erase(session);
        publishersSnap_.store(std::make_shared<const PublisherMap>(publishers_));
    }
    void incomingRtp(SessionId from, MediaPacket& packet) noexcept {
        RtpRewriter::Header in{};
        if (!RtpRewriter::read(packet.data, packet.length, in)) return;
        auto pubs = publishersSnap_.load(std::memory_order_acquire);
        auto it = pubs->find(from);
        if (it == pubs->end()) return;
        Publisher& pub = *it->second;
        int pos = packet.mindex == 1 ? 1 : 0;
        pub.packets.fetch_add(1, std::memory_order_relaxed);
        if (pub.muted[pos].load(std::memory_order_relaxed)) return;
        auto fan = pub.fanout.load(std::memory_order_acquire);
        uint64_t n = 0;
        for (const auto& ss : (*fan)[static_cast<size_t>(pos)]) {
            if (!ss->send.load(std::memory_order_relaxed)) continue;
            while (ss->busy.test_and_set(std::memory_order_acquire)) {
            }
            if (ss->rebase.exchange(false, std::memory_order_acq_rel)) ss->rewriter.reset();
            RtpRewriter::Header out = ss->rewriter.rewrite(in.ssrc, in.seq, in.ts);
            ss->busy.clear(std::memory_order_release);
            RtpRewriter::write(packet.data, out);
            host_.relayRtp(ss->session, MediaPacket{0, true, packet.data, packet.length});
            ss->sent.fetch_add(1, std::memory_order_relaxed);
            ++n;
        }
        if (n) {
            RtpRewriter::write(packet.data, in);
            relayed_.fetch_add(n, std::memory_order_relaxed);
        }
    }

private:
    struct SubStream {
        SessionId session;
        std::atomic<bool> send{true}, rebase{false};
        std::atomic_flag busy = ATOMIC_FLAG_INIT;
        std::atomic<uint64_t> sent{0};
        RtpRewriter rewriter;
        SubStream(SessionId s, uint32_t ssrc) : session(s), rewriter(ssrc, 3000u) {}
    };
    using Fanout = std::vector<std::vector<std::shared_ptr<SubStream>>>;
    struct Publisher {
        SessionId session = 0;
        uint64_t feed = 0;
        std::atomic<std::shared_ptr<const Fanout>> fanout;
        std::atomic<bool> muted[2]{};
        std::atomic<uint64_t> packets{0};
    };
    using PublisherMap = std::unordered_map<SessionId, std::shared_ptr<Publisher>>;

    MediaHost& host_;
    std::mutex mutex_;
    PublisherMap publishers_;
    std::atomic<std::shared_ptr<const PublisherMap>> publishersSnap_{std::make_shared<const PublisherMap>()};
    std::atomic<uint64_t> relayed_{0};
    uint32_t nextSsrc_ = 1;
};

// A core around either relay: the bench thread plays the room worker (publish, subscribe).
template <class Relay>
class RelayCore final : public MediaPluginCore {
public:
    explicit RelayCore(MediaHost& host) : relay(host) { instance = this; }
    void createSession(SessionId id) override { last = id; }
    void destroySession(SessionId id) override { relay.removeSession(id); }
    Reply handleMessage(SessionId, const std::string&, JsonPtr, JsonPtr) override { return Reply::ok(jsonObject()); }
    JsonPtr handleAdmin(const json_t*) override { return jsonObject(); }
    JsonPtr querySession(SessionId) override { return jsonObject(); }
    void incomingRtp(SessionId id, MediaPacket& p) noexcept override { relay.incomingRtp(id, p); }

    Relay relay;
    SessionId last = 0;
    static inline RelayCore* instance = nullptr;
};

template <class Relay>
struct RelayTraits {
    static constexpr PluginInfo kInfo{
        "janus.plugin.hipaa.relaybench", "relay", "bench core", "0.0.1", 1, "hipaa.bench"};
    static std::unique_ptr<MediaPluginCore> create(const std::string&, Logger, MediaHost& host) {
        return std::make_unique<RelayCore<Relay>>(host);
    }
};

void relayRtp(janus_plugin_session*, janus_plugin_rtp* p) { benchmark::DoNotOptimize(p->buffer[2]); }
void sendPliStream(janus_plugin_session*, int) {}
void sendRemb(janus_plugin_session*, guint32) {}

janus_callbacks* callbacks() {
    const janus_callbacks* f = FakeGateway::instance().callbacks();
    static janus_callbacks cb = {
        .push_event = f->push_event,
        .relay_rtp = &relayRtp,
        .relay_rtcp = f->relay_rtcp,
        .relay_data = f->relay_data,
        .send_pli = f->send_pli,
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
    return &cb;
}

template <class Relay>
janus_plugin* plugin() {
    static janus_plugin* p = [] {
        janus_plugin* t = glue::MediaPluginGlue<RelayTraits<Relay>>::table();
        if (t->init(callbacks(), "/tmp") != 0) std::abort();
        return t;
    }();
    return p;
}

// Handles live as long as the process (the relay may hold references on them until it goes).
std::mutex handlesMutex;
std::deque<FakeHandle> handles;

template <class Relay>
janus_plugin_session* newSession(SessionId& id) {
    std::lock_guard lock(handlesMutex);
    janus_plugin_session* h = &handles.emplace_back().session;
    int err = 0;
    plugin<Relay>()->create_session(h, &err);
    id = RelayCore<Relay>::instance->last;
    return h;
}

void setUp(room::MediaRelay& relay, SessionId pub, uint64_t feed, const std::vector<SessionId>& subs) {
    relay.publish(pub, "r" + std::to_string(feed), feed, {{0, false, "opus", 111}, {1, true, "vp8", 96}}, 0, false);
    for (SessionId s : subs) relay.subscribe(s, feed, 1, 0);
}
void tidy(room::MediaRelay& relay) { relay.reclaim(); }
void tidy(BaselineRelay&) {}
void setUp(BaselineRelay& relay, SessionId pub, uint64_t feed, const std::vector<SessionId>& subs) {
    relay.publish(pub, feed);
    for (SessionId s : subs) relay.subscribe(s, feed);
}

template <class Relay>
void Run(benchmark::State& st) {
    const int subscribers = static_cast<int>(st.range(0));
    janus_plugin* p = plugin<Relay>();
    static std::atomic<uint64_t> feeds{1000};
    uint64_t feed = feeds.fetch_add(1);
    SessionId pubId = 0;
    janus_plugin_session* pub = newSession<Relay>(pubId);
    std::vector<SessionId> subs(static_cast<size_t>(subscribers));
    std::vector<janus_plugin_session*> subHandles;
    for (auto& s : subs) subHandles.push_back(newSession<Relay>(s));
    setUp(RelayCore<Relay>::instance->relay, pubId, feed, subs);
    std::array<uint8_t, 1200> buf{};
    buf[0] = 0x80;
    buf[1] = 96;
    janus_plugin_rtp rtp{};
    rtp.mindex = 1;
    rtp.video = TRUE;
    rtp.buffer = reinterpret_cast<char*>(buf.data());
    rtp.length = buf.size();
    uint16_t seq = 0;
    for (auto _ : st) {
        ++seq;
        RtpRewriter::write(buf.data(), {0x1234, seq, seq * 3000u});
        p->incoming_rtp(pub, &rtp);
    }
    st.SetItemsProcessed(st.iterations() * subscribers);
    int err = 0;
    for (auto* h : subHandles) p->destroy_session(h, &err);
    p->destroy_session(pub, &err);
    tidy(RelayCore<Relay>::instance->relay);
}

void Relay(benchmark::State& st) { Run<room::MediaRelay>(st); }
void Baseline(benchmark::State& st) { Run<BaselineRelay>(st); }

}  // namespace

BENCHMARK(Baseline)->Arg(1)->Arg(8);
BENCHMARK(Relay)->Arg(1)->Arg(8);
BENCHMARK(Baseline)->Arg(1)->Arg(8)->Threads(4)->UseRealTime();
BENCHMARK(Relay)->Arg(1)->Arg(8)->Threads(4)->UseRealTime();

BENCHMARK_MAIN();
