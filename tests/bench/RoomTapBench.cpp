// SPDX-License-Identifier: GPL-3.0-or-later
// CPU per recorded packet of a consult recording in one process: the room's RecordingTap feeding the
// real RecorderPlugin, against the path the tap took before (and that a stock VideoRoom rtp_forward
// still takes): SRTP-protect, UDP over loopback, the recorder's receiver thread, SRTP-unprotect.
// Both paths start at the same lock-free TapRing the relay's media threads fill, and end in the same
// sealed file; they alternate in one run.
//
//   udp : ring -> forwarder thread (copy, srtp_protect, sendto) -> recorder receiver thread (recv,
//         srtp_unprotect, seal, write)   [the tap until in-process recording was typed]
//   tap : ring -> RecordingTap thread -> the recorder's RecordingSink (seal, write on that thread)
//
// Counted: the process' CPU minus the producing thread's (which plays the relay's media thread and
// does the same ring copy on both paths): so tap/forwarder thread + every recorder thread. Packets:
// one 1.5 Mbit/s video stream (1180-byte packets, every 7th 300 bytes), sent at RATE packets/s for
// SECONDS per round. UDP loss on loopback (receive buffer overflow) is reported; CPU is divided by
// the packets actually recorded.
//
// Run: build/tests/bench/bench_room_tap [RATE=10000] [SECONDS=10] [ROUNDS=5]
//      (files under $HIPAA_BENCH_DIR, default /tmp; removed at the end)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <srtp2/srtp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "AuditTrailSpy.hpp"
#include "FreePort.hpp"
#include "NullHost.hpp"
#include "RecorderPlugin.hpp"
#include "RecordingTap.hpp"
#include "TapRing.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"

using namespace hipaa;
using namespace std::chrono_literals;
using hipaa::test::NullHost;
using room::TapRing;
using room::TapSlot;

namespace {

double cpu(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0600);
}

std::vector<Bytes> videoPackets(size_t n) {
    std::vector<Bytes> out;
    for (size_t i = 0; i < n; ++i) {
        Bytes p = secureRandomBytes(i % 7 == 0 ? 300 : 1180);
        p[0] = 0x80;
        p[1] = 96;
        p[2] = static_cast<uint8_t>(i >> 8);
        p[3] = static_cast<uint8_t>(i);
        p[8] = 0x12, p[9] = 0x34, p[10] = 0x56, p[11] = 0x78;
        out.push_back(std::move(p));
    }
    return out;
}

// What the room's tap did before in-process recording was typed (and what a VideoRoom rtp_forward
// does): each packet from the ring is copied, SRTP-protected with the stream's key and sent to the
// recorder's UDP ingest port.
class UdpForwarder {
public:
    UdpForwarder(ByteView key, int port) : ring_(4096), buffer_(TapSlot::kMaxPacket + SRTP_MAX_TRAILER_LEN) {
        srtp_policy_t policy{};
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        policy.ssrc.type = ssrc_any_outbound;
        policy.key = const_cast<uint8_t*>(key.data());
        policy.window_size = 1024;
        if (srtp_create(&srtp_, &policy) != srtp_err_status_ok) std::abort();
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        to_.sin_family = AF_INET;
        to_.sin_port = htons(static_cast<uint16_t>(port));
        ::inet_pton(AF_INET, "127.0.0.1", &to_.sin_addr);
        thread_ = std::thread([this] { run(); });
    }
    ~UdpForwarder() {
        quit_ = true;
        thread_.join();
        ::close(fd_);
        srtp_dealloc(srtp_);
    }
    void rtp(const uint8_t* p, size_t n) {  // the media thread's side, as RecordingTap::rtp
        bool ok = ring_.tryPush([&](TapSlot& s) {
            s.kind = TapSlot::Kind::Rtp;
            s.length = static_cast<uint16_t>(n);
            std::memcpy(s.data, p, n);
        });
        (ok ? pushed_ : dropped_).fetch_add(1, std::memory_order_relaxed);
    }
    uint64_t pending() const { return pushed_.load() - sent_.load(); }
    uint64_t dropped() const { return dropped_.load(); }

private:
    void run() {
        while (!quit_) {
            while (ring_.tryPop([this](TapSlot& s) {
                std::memcpy(buffer_.data(), s.data, s.length);
                int len = s.length;
                if (srtp_protect(srtp_, buffer_.data(), &len) == srtp_err_status_ok)
                    ::sendto(fd_, buffer_.data(), static_cast<size_t>(len), 0, reinterpret_cast<const sockaddr*>(&to_),
                             sizeof to_);
                sent_.fetch_add(1, std::memory_order_relaxed);
            })) {
            }
            std::this_thread::sleep_for(2ms);  // the tap thread's wait between drains
        }
    }
    TapRing ring_;
    Bytes buffer_;
    srtp_t srtp_ = nullptr;
    int fd_ = -1;
    sockaddr_in to_{};
    std::atomic<uint64_t> pushed_{0}, dropped_{0}, sent_{0};
    std::atomic<bool> quit_{false};
    std::thread thread_;
};

struct Round {
    double cpuUsPerPacket = 0, producerUsPerPacket = 0;
    uint64_t recorded = 0, lost = 0;
};

class Bench {
public:
    explicit Bench(const std::string& dir) : dir_(dir) {
        std::filesystem::create_directories(dir_);
        ::chmod(dir_.c_str(), 0700);
        writeFile(dir_ + "/keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
        writeFile(dir_ + "/sign.key", hexEncode(secureRandomBytes(32)) + "\n");
        int port = test::freeLoopbackPort();
        if (port > 64000) port = 40000;
        writeFile(dir_ + "/recorder.jcfg",
                  "general: {\n development = true\n recordings_dir = \"" + dir_ + "/rec\"\n export_dir = \"" + dir_ +
                      "/exp\"\n keyring = \"" + dir_ + "/keyring\"\n signing_key = \"" + dir_ +
                      "/sign.key\"\n rtp_port_min = " + std::to_string(port) +
                      "\n rtp_port_max = " + std::to_string(port + 100) + "\n sweep_seconds = 3600\n}\n");
        std::string cfg = dir_ + "/recorder.jcfg";
        recorder_ =
            std::make_unique<recorder::RecorderPlugin>(Config(JcfgParser::parseFile(cfg), cfg), Logger(), host_);
    }
    ~Bench() {
        recorder_.reset();
        std::filesystem::remove_all(dir_);
    }

    Round run(bool typed, const std::vector<Bytes>& packets, double rate) {
        std::unique_ptr<room::RecordingTap> tap;
        std::unique_ptr<UdpForwarder> udp;
        std::string id;
        if (typed) {
            tap = makeTap();
            tap->streamAdded({.feed = 1, .mindex = 0, .video = true, .codec = "vp8", .payloadType = 96});
            tap->start();
        } else {
            JsonPtr s =
                admin(R"({"request":"start","srtp_keys":"per_stream","streams":[{"kind":"video","codec":"vp8"}]})");
            id = std::string(jsonString(s.get(), "recording").value_or(""));
            const json_t* st = json_array_get(json_object_get(s.get(), "streams"), 0);
            std::optional<Bytes> key = base64Decode(jsonString(st, "srtp_crypto").value_or(""));
            if (id.empty() || !key) std::abort();
            udp = std::make_unique<UdpForwarder>(*key, static_cast<int>(jsonInt(st, "port").value_or(0)));
        }
        double c0 = cpu(CLOCK_PROCESS_CPUTIME_ID);
        double producer = 0;
        std::thread media([&] {
            double p0 = cpu(CLOCK_THREAD_CPUTIME_ID);
            auto start = std::chrono::steady_clock::now();
            for (size_t i = 0; i < packets.size(); ++i) {
                auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(static_cast<double>(i) / rate));
                if (std::chrono::steady_clock::now() < due) std::this_thread::sleep_until(due);
                if (typed)
                    tap->rtp(1, 0, packets[i].data(), packets[i].size());
                else
                    udp->rtp(packets[i].data(), packets[i].size());
            }
            producer = cpu(CLOCK_THREAD_CPUTIME_ID) - p0;
        });
        media.join();
        // Until the recorder took everything that will arrive: no progress for 200 ms.
        if (id.empty())
            for (int i = 0; i < 1000 && id.empty(); ++i) {
                std::vector<std::string> r = tap->recordings();
                if (!r.empty())
                    id = r[0];
                else
                    std::this_thread::sleep_for(1ms);
            }
        uint64_t recorded = 0, lost = 0, last = ~uint64_t{0};
        auto quiet = std::chrono::steady_clock::now();
        for (;;) {
            JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
            const json_t* c = json_array_get(json_object_get(st.get(), "counters"), 0);
            recorded = static_cast<uint64_t>(jsonInt(c, "recorded").value_or(0));
            if (recorded != last) last = recorded, quiet = std::chrono::steady_clock::now();
            if (recorded == packets.size() || std::chrono::steady_clock::now() - quiet > 200ms) break;
            std::this_thread::sleep_for(5ms);
        }
        double used = cpu(CLOCK_PROCESS_CPUTIME_ID) - c0 - producer;
        lost = packets.size() - recorded;
        if (typed)
            tap->stop();
        else
            admin(R"({"request":"stop","recording":")" + id + "\"}");
        admin(R"({"request":"delete","reason":"bench","recording":")" + id + "\"}");
        return {used / static_cast<double>(recorded) * 1e6, producer / static_cast<double>(packets.size()) * 1e6,
                recorded, lost};
    }

private:
    JsonPtr admin(const std::string& json) { return recorder_->handleAdmin(jsonParse(json).get()); }
    std::unique_ptr<room::RecordingTap> makeTap() {
        return std::make_unique<room::RecordingTap>(RecordingSink::inProcess(), room::TapSettings{}, Logger());
    }

    std::string dir_;
    test::AuditTrailSpy trail_;  // development: the admin secret alone, still recorded
    NullHost host_;
    std::unique_ptr<recorder::RecorderPlugin> recorder_;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    double rate = argc > 1 ? std::atof(argv[1]) : 10000;
    double seconds = argc > 2 ? std::atof(argv[2]) : 10;
    int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
    if (rate <= 0 || seconds <= 0 || rounds <= 0) {
        std::fprintf(stderr, "usage: bench_room_tap [RATE=10000] [SECONDS=10] [ROUNDS=5]\n");
        return 2;
    }
    if (srtp_init() != srtp_err_status_ok) return 1;
    const char* base = std::getenv("HIPAA_BENCH_DIR");
    std::vector<Bytes> packets = videoPackets(static_cast<size_t>(rate * seconds));
    size_t bytes = 0;
    for (const auto& p : packets) bytes += p.size();
    std::printf("tap bench: %zu packets (%.1f MB) per round at %.0f packets/s, %d rounds alternating, medians\n",
                packets.size(), static_cast<double>(bytes) / 1e6, rate, rounds);
    std::vector<double> cpuUdp, cpuTap, prodUdp, prodTap;
    uint64_t lostUdp = 0, lostTap = 0;
    {
        Bench bench(std::string(base ? base : "/tmp") + "/hipaa-tap-bench-" + std::to_string(::getpid()));
        bench.run(false, std::vector<Bytes>(packets.begin(), packets.begin() + static_cast<long>(packets.size() / 10)),
                  rate);  // warm-up
        bench.run(true, std::vector<Bytes>(packets.begin(), packets.begin() + static_cast<long>(packets.size() / 10)),
                  rate);
        for (int r = 0; r < rounds; ++r) {
            Round u = bench.run(false, packets, rate), t = bench.run(true, packets, rate);
            std::printf("  round %d: udp %.2f us/packet (lost %lu), tap %.2f us/packet (lost %lu)\n", r + 1,
                        u.cpuUsPerPacket, static_cast<unsigned long>(u.lost), t.cpuUsPerPacket,
                        static_cast<unsigned long>(t.lost));
            std::fflush(stdout);
            cpuUdp.push_back(u.cpuUsPerPacket);
            cpuTap.push_back(t.cpuUsPerPacket);
            prodUdp.push_back(u.producerUsPerPacket);
            prodTap.push_back(t.producerUsPerPacket);
            lostUdp += u.lost;
            lostTap += t.lost;
        }
    }
    double avg = static_cast<double>(bytes) / static_cast<double>(packets.size());
    double perHour = 1.5e6 / 8 * 3600 / avg;  // packets in a 1.5 Mbit/s stream-hour
    double u = median(cpuUdp), t = median(cpuTap);
    std::printf(
        "udp (protect, loopback, unprotect): %.2f us CPU per recorded packet, %.2f CPU s per stream-hour; "
        "media thread %.2f us; lost %lu\n",
        u, u * perHour / 1e6, median(prodUdp), static_cast<unsigned long>(lostUdp));
    std::printf(
        "tap (typed sink, in process):       %.2f us CPU per recorded packet, %.2f CPU s per stream-hour; "
        "media thread %.2f us; lost %lu\n",
        t, t * perHour / 1e6, median(prodTap), static_cast<unsigned long>(lostTap));
    std::printf("tap/udp: %.2fx\n", t / u);
    srtp_shutdown();
    return 0;
}
