// Per-packet cost of the room's media path as Janus drives it (Google Benchmark): incoming_rtp on a
// publisher's handle through the glue into MediaRelay, fanned out to N subscriber handles, each copy
// handed to relay_rtp (here a no-op, so what is measured is the plugin's share alone).
//   build/tests/bench/bench_relay [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
// Relay/N: one media thread, one publisher -> N subscribers. threads:T: T publishers on T media
// threads at once (T simultaneous consults), each to its own N subscribers: what they share is what
// contends (before: the glue's plugin-wide mutex and the relay's std::atomic<std::shared_ptr>s).
// Time per iteration = one incoming packet; items = relayed copies.
#include <benchmark/benchmark.h>

#include <array>
#include <deque>
#include <memory>
#include <mutex>

#include "FakeGateway.hpp"
#include "MediaRelay.hpp"
#include "RtpRewriter.hpp"
#include "hipaa/glue/MediaPluginGlue.hpp"

using namespace hipaa;
using namespace hipaa::test;

namespace {

class RelayCore final : public MediaPluginCore {
public:
    explicit RelayCore(MediaHost& host) : relay(host) { instance = this; }
    void createSession(SessionId id) override { last = id; }
    void destroySession(SessionId id) override { relay.removeSession(id); }
    Reply handleMessage(SessionId, const std::string&, JsonPtr, JsonPtr) override { return Reply::ok(jsonObject()); }
    JsonPtr handleAdmin(const json_t*) override { return jsonObject(); }
    JsonPtr querySession(SessionId) override { return jsonObject(); }
    void incomingRtp(SessionId id, MediaPacket& p) noexcept override { relay.incomingRtp(id, p); }

    room::MediaRelay relay;
    SessionId last = 0;
    static inline RelayCore* instance = nullptr;
};

struct RelayTraits {
    static constexpr PluginInfo kInfo{"janus.plugin.hipaa.relaybench", "relay", "bench core", "0.0.1", 1};
    static std::unique_ptr<MediaPluginCore> create(const std::string&, Logger, MediaHost& host) {
        return std::make_unique<RelayCore>(host);
    }
};
using Glue = glue::MediaPluginGlue<RelayTraits>;

void relayRtp(janus_plugin_session*, janus_plugin_rtp* p) { benchmark::DoNotOptimize(p->buffer[2]); }
void sendPliStream(janus_plugin_session*, int) {}
void sendRemb(janus_plugin_session*, guint32) {}

janus_plugin* plugin() {
    static janus_plugin* p = [] {
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
        janus_plugin* t = Glue::table();
        if (t->init(&cb, "/tmp") != 0) std::abort();
        return t;
    }();
    return p;
}

// Handles live as long as the process (a destroyed session's handle may still be referenced).
std::mutex handlesMutex;
std::deque<FakeHandle> handles;

janus_plugin_session* newSession(SessionId& id) {
    janus_plugin_session* h;
    {
        std::lock_guard lock(handlesMutex);
        h = &handles.emplace_back().session;
        int err = 0;
        plugin()->create_session(h, &err);
        id = RelayCore::instance->last;
    }
    return h;
}

void Relay(benchmark::State& st) {
    const int subscribers = static_cast<int>(st.range(0));
    janus_plugin* p = plugin();
    room::MediaRelay& relay = RelayCore::instance->relay;
    uint64_t feed = 1000 + static_cast<uint64_t>(st.thread_index());
    SessionId pubId = 0;
    janus_plugin_session* pub = newSession(pubId);
    relay.publish(pubId, "r" + std::to_string(feed), feed, {{0, false, "opus", 111}, {1, true, "vp8", 96}}, 0, false);
    std::vector<janus_plugin_session*> subs;
    for (int i = 0; i < subscribers; ++i) {
        SessionId id = 0;
        subs.push_back(newSession(id));
        relay.subscribe(id, feed, 1, 0);
    }
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
        room::RtpRewriter::write(buf.data(), {0x1234, ++seq, seq * 3000u});
        p->incoming_rtp(pub, &rtp);
    }
    st.SetItemsProcessed(st.iterations() * subscribers);
    int err = 0;
    for (auto* s : subs) p->destroy_session(s, &err);
    p->destroy_session(pub, &err);
}

}  // namespace

BENCHMARK(Relay)->Arg(1)->Arg(8);
BENCHMARK(Relay)->Arg(1)->Arg(8)->Threads(4)->UseRealTime();

BENCHMARK_MAIN();
