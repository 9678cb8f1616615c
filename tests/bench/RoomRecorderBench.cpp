// SPDX-License-Identifier: GPL-3.0-or-later
// Join and admission latency of janus.plugin.hipaa.room while the recorder in the same process
// exports a large recording, against the same load without the export, in one run.
//
// In-process, no Janus: the real RoomPlugin (worker, RecordingTap) and the real RecorderPlugin
// (its RecordingSink in this process, files on disk). A sealed recording of SIZE MB is written first
// (RecordingStore + RecordingWriter, as the recorder does). Then, twice, the same load:
//   - visits: every 20 ms the Admin API creates a room, a provider joins it, a patient joins (waiting),
//     the provider admits her; measured: create (Admin API call), join (attach + request -> "joined"
//     to the provider, "waiting" to the patient: two samples per visit), admit (request -> "joined" to the patient) and
//     leave (both handles detached, the room destroyed);
//   - consult recording in another room, in a loop: `record` (consent-free class), a feed's packets
//     into its tap (the recorder starts a recording), `stop_record`; measured: `stop_record` ->
//     recording_stopped event (the recorder sealed the feed's recording);
// first with nothing else running, then while the recorder's Admin API `export`s the large recording.
// Prints p50/p99/max per phase. Everything written is removed at the end.
//
// Run: build/tests/bench/bench_room_recorder [SIZE_MB=1024] [BASELINE_S=10]
//      (files under $HIPAA_BENCH_DIR, default /tmp: needs about 2 x SIZE MB free)
#include <srtp2/srtp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "AuditTrailSpy.hpp"
#include "NullHost.hpp"
#include "RecorderPlugin.hpp"
#include "RecordingStore.hpp"
#include "RoomPlugin.hpp"
#include "TokenFactory.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"

using namespace hipaa;
using namespace std::chrono_literals;
using hipaa::test::NullHost;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Stats {
    std::vector<double> v;
    void add(double x) { v.push_back(x); }
    double pct(double p) {  // nearest rank: p99 of 5 samples is their maximum
        if (v.empty()) return 0;
        std::sort(v.begin(), v.end());
        size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
        return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
    }
};

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0600);
}

// Collects what the room pushes and notifies; the bench waits for the answer it measures.
class Host final : public MediaHost {
public:
    bool pushEvent(SessionId s, const std::string&, const json_t* m, const json_t*) override {
        add(s, jsonDump(m));
        return true;
    }
    void notifyEvent(SessionId, const json_t* e) override {
        if (jsonString(e, "event").value_or("") == "recording_stopped") add(0, "recording_stopped");
    }
    bool eventsEnabled() const override { return true; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}
    // Waits until session `s` got something containing `needle` since `mark()` and returns it; throws
    // on an error answer or after 2 minutes.
    std::string wait(SessionId s, const std::string& needle, size_t from) {
        std::unique_lock l(m_);
        std::string found;
        cv_.wait_for(l, 120s, [&] {
            for (size_t i = from; i < got_.size() && found.empty(); ++i)
                if (got_[i].first == s && (got_[i].second.find(needle) != std::string::npos ||
                                           got_[i].second.find("error_code") != std::string::npos))
                    found = got_[i].second;
            return !found.empty();
        });
        if (found.empty() || found.find("error_code") != std::string::npos)
            throw std::runtime_error("waiting for " + needle + ": " + (found.empty() ? "no answer" : found));
        return found;
    }
    size_t mark() {
        std::lock_guard l(m_);
        return got_.size();
    }

private:
    void add(SessionId s, std::string text) {
        std::lock_guard l(m_);
        got_.emplace_back(s, std::move(text));
        cv_.notify_all();
    }
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<std::pair<SessionId, std::string>> got_;
};

struct Phase {
    Stats create, join, admit, leave, seal;
    int visits = 0, recordings = 0;
};

class Bench {
public:
    Bench(room::test::TokenFactory& tokens, room::RoomPlugin& room, Host& host)
        : tokens_(tokens), room_(room), host_(host) {}

    // Runs visits (one every 20 ms) and recording cycles until `done` says so.
    Phase run(const std::function<bool()>& done) {
        Phase ph;
        std::atomic<bool> stop{false};
        std::thread recording([&] { recordLoop(ph, stop); });
        while (!done()) {
            auto next = Clock::now() + 20ms;
            visit(ph);
            std::this_thread::sleep_until(next);
        }
        stop = true;
        recording.join();
        return ph;
    }

private:
    std::string token(const std::string& room, const char* role) {
        int64_t now =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        int n = ++n_;
        JsonPtr c = tokens_.claims(room, role, now, std::string(role) + "-" + std::to_string(n));
        jsonSet(c.get(), "jti", "bench-" + std::to_string(n));
        return tokens_.sign(c.get());
    }
    void send(SessionId s, const std::string& json) { room_.handleMessage(s, "t", jsonParse(json), nullptr); }
    std::string join(const std::string& room, const char* role) {
        return R"({"request":"join","room":")" + room + R"(","token":")" + token(room, role) + "\"}";
    }

    // Each latency is what the client waits for, wherever the plugin makes it wait (the Admin API
    // call, Janus' attach = createSession, the worker's answer).
    void visit(Phase& ph) {
        SessionId dr = next_++, pat = next_++;
        std::string room = "v" + std::to_string(dr);
        std::string drJoin = join(room, "provider"), patJoin = join(room, "patient");  // signed before timing
        auto t0 = Clock::now();
        room_.handleAdmin(jsonParse(R"({"request":"create","room":")" + room + "\"}").get());
        ph.create.add(ms(Clock::now() - t0));
        size_t at = host_.mark();
        t0 = Clock::now();
        room_.createSession(dr);
        send(dr, drJoin);
        host_.wait(dr, "\"joined\"", at);
        ph.join.add(ms(Clock::now() - t0));
        at = host_.mark();
        t0 = Clock::now();
        room_.createSession(pat);
        send(pat, patJoin);
        std::string waiting = host_.wait(pat, "\"waiting\"", at);
        ph.join.add(ms(Clock::now() - t0));
        std::string id(jsonString(jsonParse(waiting).get(), "id").value_or(""));
        at = host_.mark();
        t0 = Clock::now();
        send(dr, R"({"request":"admit","id":")" + id + "\"}");
        host_.wait(pat, "\"joined\"", at);
        ph.admit.add(ms(Clock::now() - t0));
        t0 = Clock::now();
        room_.destroySession(pat);
        room_.destroySession(dr);
        room_.handleAdmin(jsonParse(R"({"request":"destroy","room":")" + room + "\"}").get());
        ph.leave.add(ms(Clock::now() - t0));
        ++ph.visits;
    }
    void recordLoop(Phase& ph, std::atomic<bool>& stop) {
        SessionId dr = 900000 + next_++;
        room_.createSession(dr);
        size_t at = host_.mark();
        send(dr, join("recorded", "provider"));
        host_.wait(dr, "\"joined\"", at);
        uint8_t rtp[172] = {0x80, 111};
        while (!stop) {
            at = host_.mark();
            send(dr, R"({"request":"record"})");
            host_.wait(dr, "recording_started", at);
            auto tap = room_.tap("recorded");
            if (!tap) throw std::runtime_error("no tap");
            tap->streamAdded({.feed = 1, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
            for (uint16_t i = 0; i < 50; ++i) {
                rtp[2] = static_cast<uint8_t>(i >> 8);
                rtp[3] = static_cast<uint8_t>(i);
                tap->rtp(1, 0, rtp, sizeof rtp);
            }
            tap.reset();
            std::this_thread::sleep_for(100ms);
            at = host_.mark();
            auto t0 = Clock::now();
            send(dr, R"({"request":"stop_record"})");
            host_.wait(0, "recording_stopped", at);
            ph.seal.add(ms(Clock::now() - t0));
            ++ph.recordings;
        }
        room_.destroySession(dr);
    }

    room::test::TokenFactory& tokens_;
    room::RoomPlugin& room_;
    Host& host_;
    std::atomic<SessionId> next_{1};
    std::atomic<int> n_{0};  // token ids: both threads sign
};

}  // namespace

int main(int argc, char** argv) {
    const int64_t sizeMb = argc > 1 ? std::atoll(argv[1]) : 1024;
    const int baselineS = argc > 2 ? std::atoi(argv[2]) : 10;
    const char* base = std::getenv("HIPAA_BENCH_DIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/hipaa-bench-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
        std::perror("mkdtemp");
        return 2;
    }
    const std::string dir = tmpl;
    struct Cleanup {
        std::string dir;
        ~Cleanup() { std::filesystem::remove_all(dir); }
    } cleanup{dir};
    if (srtp_init() != srtp_err_status_ok) return 2;

    // Keys and configs (development keys made here, like scripts/janus-conf.sh).
    std::filesystem::create_directory(dir + "/rec");
    std::filesystem::create_directory(dir + "/exp");
    ::chmod((dir + "/rec").c_str(), 0700);
    ::chmod((dir + "/exp").c_str(), 0700);
    writeFile(dir + "/keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
    writeFile(dir + "/sign.key", hexEncode(secureRandomBytes(32)) + "\n");
    writeFile(dir + "/recorder.jcfg", "general: {\n development = true\n recordings_dir = \"" + dir +
                                          "/rec\"\n export_dir = \"" + dir + "/exp\"\n keyring = \"" + dir +
                                          "/keyring\"\n signing_key = \"" + dir +
                                          "/sign.key\"\n rtp_port_min = 41000\n rtp_port_max = 41999\n}\n");
    room::test::TokenFactory tokens;
    writeFile(dir + "/pseudonym.key", hexEncode(secureRandomBytes(32)));
    writeFile(dir + "/es.pem", tokens.publicPem("es"));
    writeFile(dir + "/room.jcfg", "general: { pseudonym_key_file = \"" + dir +
                                      "/pseudonym.key\"\n require_audit = false }\n"
                                      "tokens: { issuers = \"" +
                                      std::string(room::test::TokenFactory::kIssuer) + "\"\n audience = \"" +
                                      room::test::TokenFactory::kAudience +
                                      "\" }\n"
                                      "keys: { pem_files = \"es=" +
                                      dir +
                                      "/es.pem\" }\n"
                                      "class-qa: { record_consent = false }\nroom-recorded: { class = \"qa\" }\n");

    // The large recording: audio + video, sealed like the recorder seals.
    std::string id;
    {
        auto t0 = Clock::now();
        recorder::Keyring ring = recorder::Keyring::fromFile(dir + "/keyring");
        Ed25519Signer signer = Ed25519Signer::fromKeyFile(dir + "/sign.key");
        recorder::RetentionPolicies policies;
        policies["standard"] = recorder::RetentionPolicy{"standard", 2190LL * 86'400'000};
        recorder::RecordingStore store(dir + "/rec", dir + "/exp", ring, signer, policies);
        recorder::RecordingId rid{};
        secureRandom(rid);
        id = recorder::recordingIdHex(rid);
        std::vector<recorder::StreamSpec> specs{{recorder::StreamKind::Audio, "opus", "0"},
                                                {recorder::StreamKind::Video, "vp8", "1"}};
        std::vector<std::string> paths = store.create(id, "standard", specs);
        Bytes dataKey = secureRandomBytes(32);
        std::vector<recorder::FileSummary> files;
        for (size_t k = 0; k < 2; ++k) {
            recorder::RecordingHeader h;
            h.recordingId = rid;
            h.kind = specs[k].kind;
            h.codec = specs[k].codec;
            h.mid = specs[k].mid;
            h.chunkSize = 65536;
            recorder::RecordingWriter w(paths[k], h, dataKey, ring);
            Bytes pkt = secureRandomBytes(k == 0 ? 160 : 1200);
            pkt[0] = 0x80;
            const int64_t target = sizeMb * (1 << 20) * (k == 0 ? 1 : 9) / 10;
            uint64_t t = 1'800'000'000'000'000ull;
            for (int64_t written = 0; written < target; written += static_cast<int64_t>(pkt.size() + 10)) {
                pkt[2] = static_cast<uint8_t>(written);
                w.append(t += 1000, pkt);
            }
            files.push_back(w.finish());
        }
        store.sealed(id, files);
        uint64_t bytes = files[0].bytes + files[1].bytes;
        std::printf("recording %s: %.0f MB in 2 files, written and sealed in %.1f s\n", id.c_str(),
                    static_cast<double>(bytes) / (1 << 20), ms(Clock::now() - t0) / 1000);
    }

    test::AuditTrailSpy trail;  // development: the admin secret alone, still recorded
    NullHost recorderHost;
    Host roomHost;
    auto recorderPlugin = recorder::RecorderPlugin::create(dir + "/recorder.jcfg", Logger(), recorderHost);
    auto roomPlugin = room::RoomPlugin::create(dir + "/room.jcfg", Logger(), roomHost);
    auto& room = static_cast<room::RoomPlugin&>(*roomPlugin);
    Bench bench(tokens, room, roomHost);

    std::printf("phase 1: %d s without export ...\n", baselineS);
    std::fflush(stdout);
    auto until = Clock::now() + std::chrono::seconds(baselineS);
    Phase quiet = bench.run([&] { return Clock::now() >= until; });

    std::printf("phase 2: the same load while %s is exported ...\n", id.c_str());
    std::fflush(stdout);
    auto t0 = Clock::now();
    auto exporting = std::async(std::launch::async, [&] {
        return recorderPlugin->handleAdmin(jsonParse(R"({"request":"export","recording":")" + id + "\"}").get());
    });
    Phase busy = bench.run([&] { return exporting.wait_for(0s) == std::future_status::ready; });
    double exportS = ms(Clock::now() - t0) / 1000;
    JsonPtr exported = exporting.get();
    uint64_t exportBytes = 0;
    size_t i;
    json_t* f;
    json_array_foreach(json_object_get(exported.get(), "files"), i, f) {
        exportBytes += std::filesystem::file_size(json_string_value(f));
        std::filesystem::remove(json_string_value(f));
    }
    std::printf("export: %.0f MB of .mjr in %.1f s (%.0f MB/s)\n\n", static_cast<double>(exportBytes) / (1 << 20),
                exportS, static_cast<double>(exportBytes) / (1 << 20) / exportS);

    std::printf("visits: %d without export, %d during it; recordings sealed: %d and %d\n\n", quiet.visits, busy.visits,
                quiet.recordings, busy.recordings);
    std::printf("%-36s %8s %9s %9s %9s\n", "latency (ms)", "samples", "p50", "p99", "max");
    auto row = [](const char* what, Stats& s) {
        std::printf("%-36s %8zu %9.2f %9.2f %9.2f\n", what, s.v.size(), s.pct(0.5), s.pct(0.99), s.pct(1.0));
    };
    row("create room (Admin API), no export", quiet.create);
    row("create room, during export", busy.create);
    row("join, no export", quiet.join);
    row("join, during export", busy.join);
    row("admit, no export", quiet.admit);
    row("admit, during export", busy.admit);
    row("leave (detach both, destroy room)", quiet.leave);
    row("leave, during export", busy.leave);
    row("stop_record -> sealed, no export", quiet.seal);
    row("stop_record -> sealed, during export", busy.seal);
    roomPlugin.reset();
    recorderPlugin.reset();
    srtp_shutdown();
    return 0;
}
