// SPDX-License-Identifier: GPL-3.0-or-later
// Recorder throughput and CPU: the same RTP packets written sealed (RecordingWriter: AES-256-GCM
// chunks + SHA-256 of the file) and plain (the same record framing and chunked writes, no crypto),
// alternately in one run; once for the writer alone and once with libsrtp's unprotect in front
// (the whole per-packet path of the recorder minus the UDP receive). Prints MB/s, CPU seconds per
// stream-hour and the sealed/plain CPU ratio against the 1.10 target. A third pass receives the
// packets from a datagram socket as the recorder's thread does, and counts that thread's CPU only.
#include "ByteOrder.hpp"
#include "Keyring.hpp"
#include "RecordingWriter.hpp"
#include "SrtpSession.hpp"
#include "UniqueFd.hpp"
#include "hipaa/SecureRandom.hpp"

#include <fcntl.h>
#include <srtp2/srtp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace hipaa;
using namespace hipaa::recorder;

namespace {

double cpuNow() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double threadCpuNow() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double wallNow() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Baseline: identical framing and chunking, written in the clear.
class PlainWriter {
public:
    PlainWriter(const std::string& path, size_t chunk) : chunk_(chunk) {
        fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        buffer_.reserve(chunk + 2048);
        buffer_.resize(4);
    }
    void append(uint64_t t, ByteView p) {
        putU64(buffer_, t);
        putU16(buffer_, static_cast<uint16_t>(p.size()));
        buffer_.insert(buffer_.end(), p.begin(), p.end());
        if (buffer_.size() - 4 >= chunk_) flush();
    }
    void flush() {  // like the sealed writer: u32 length || chunk in one write
        size_t n = buffer_.size() - 4;
        buffer_[0] = static_cast<uint8_t>(n >> 24);
        buffer_[1] = static_cast<uint8_t>(n >> 16);
        buffer_[2] = static_cast<uint8_t>(n >> 8);
        buffer_[3] = static_cast<uint8_t>(n);
        writeAll(fd_.get(), buffer_, "plain");
        buffer_.resize(4);
    }
    void finish() {
        flush();
        ::fsync(fd_.get());
        fd_.reset();
    }

private:
    UniqueFd fd_;
    size_t chunk_;
    Bytes buffer_;
};

struct Sample {
    double cpu, wall;
};

}  // namespace

int main(int argc, char** argv) {
    double mediaSeconds = argc > 1 ? std::atof(argv[1]) : 300.0;  // of a 1.5 Mbit/s video stream
    if (srtp_init() != srtp_err_status_ok) return 1;
    const size_t chunk = 65536;
    const double bitrate = 1.5e6;
    // Video-like packet sizes (mostly near the MTU, some small), 90 kHz timestamps.
    std::vector<Bytes> plain;
    size_t total = 0;
    uint16_t seq = 1;
    while (static_cast<double>(total) * 8 < bitrate * mediaSeconds && plain.size() < 60000) {
        size_t size = (plain.size() % 7 == 0) ? 300 : 1180;
        Bytes p = secureRandomBytes(size);
        p[0] = 0x80;
        p[1] = 96;
        p[2] = static_cast<uint8_t>(seq >> 8);
        p[3] = static_cast<uint8_t>(seq);
        p[8] = 0x12;
        p[9] = 0x34;
        p[10] = 0x56;
        p[11] = 0x78;
        ++seq;
        total += size;
        plain.push_back(std::move(p));
    }
    Bytes key = secureRandomBytes(30);
    std::vector<Bytes> wire;
    {
        srtp_policy_t policy{};
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        policy.ssrc.type = ssrc_any_outbound;
        policy.key = key.data();
        srtp_t tx = nullptr;
        srtp_create(&tx, &policy);
        for (const auto& p : plain) {
            Bytes w = p;
            w.resize(p.size() + SRTP_MAX_TRAILER_LEN);
            int len = static_cast<int>(p.size());
            srtp_protect(tx, w.data(), &len);
            w.resize(static_cast<size_t>(len));
            wire.push_back(std::move(w));
        }
        srtp_dealloc(tx);
    }
    Keyring ring;
    ring.add(1, Keyring::Type::Kek, secureRandomBytes(32));
    Bytes dataKey = secureRandomBytes(32);
    std::string dir = (std::filesystem::temp_directory_path() / ("hipaa-bench-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir);

    // mode 0: write only; 1: copy + SRTP unprotect + write; 2: recv() from a datagram socket fed by
    // another thread + unprotect + write, counting only the receiving thread's CPU (the real path).
    auto runOnce = [&](bool sealed, int mode) {
        bool withSrtp = mode >= 1;
        int sv[2] = {-1, -1};
        std::thread sender;
        if (mode == 2) {
            ::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv);
            sender = std::thread([&wire, fd = sv[1]] {
                for (const auto& w : wire) ::send(fd, w.data(), w.size(), 0);  // blocks when full: no loss
            });
        }
        std::string path = dir + "/r.bin";
        std::filesystem::remove(path);
        std::unique_ptr<SrtpSession> srtp = withSrtp ? std::make_unique<SrtpSession>(80, key) : nullptr;
        uint8_t buf[2048];
        auto cpu = [mode] { return mode == 2 ? threadCpuNow() : cpuNow(); };
        double c0 = cpu(), w0 = wallNow();
        std::unique_ptr<RecordingWriter> sw;
        std::unique_ptr<PlainWriter> pw;
        if (sealed) {
            RecordingHeader h;
            h.kind = StreamKind::Video;
            h.codec = "vp8";
            h.mid = "1";
            h.chunkSize = chunk;
            sw = std::make_unique<RecordingWriter>(path, h, dataKey, ring);
        } else {
            pw = std::make_unique<PlainWriter>(path, chunk);
        }
        uint64_t t = 1'700'000'000'000'000ull;
        for (size_t i = 0; i < plain.size(); ++i) {
            size_t len;
            if (mode == 2) {
                len = static_cast<size_t>(::recv(sv[0], buf, sizeof buf, 0));
            } else {
                const Bytes& src = withSrtp ? wire[i] : plain[i];
                std::copy(src.begin(), src.end(), buf);  // what recv() does in the real path
                len = src.size();
            }
            if (srtp && !srtp->unprotect(buf, len)) std::abort();
            t += 6000;
            if (sealed)
                sw->append(t, ByteView(buf, len));
            else
                pw->append(t, ByteView(buf, len));
        }
        if (sealed)
            sw->finish();
        else
            pw->finish();
        Sample out{cpu() - c0, wallNow() - w0};
        if (sender.joinable()) sender.join();
        if (sv[0] >= 0) ::close(sv[0]), ::close(sv[1]);
        return out;
    };

    const int rounds = 7;
    double mb = static_cast<double>(total) / 1e6;
    std::printf(
        "recorder bench: %zu packets, %.1f MB of RTP (%.0f s of 1.5 Mbit/s video) per round, %d rounds, median\n",
        plain.size(), mb, static_cast<double>(total) * 8 / bitrate, rounds);
    double pipelineRatio = 0;
    for (int mode : {0, 1, 2}) {
        std::vector<double> pc, sc, pwl, swl;
        runOnce(false, mode);  // warm-up
        runOnce(true, mode);
        for (int r = 0; r < rounds; ++r) {
            Sample p = runOnce(false, mode), s = runOnce(true, mode);
            pc.push_back(p.cpu);
            sc.push_back(s.cpu);
            pwl.push_back(p.wall);
            swl.push_back(s.wall);
        }
        for (auto* v : {&pc, &sc, &pwl, &swl}) std::sort(v->begin(), v->end());
        double p = pc[rounds / 2], s = sc[rounds / 2];
        double bytesPerHour = bitrate / 8 * 3600;
        std::printf("%-22s plain %7.1f MB/s cpu (%6.1f wall)  sealed %7.1f MB/s cpu (%6.1f wall)  cpu ratio %.2fx\n",
                    mode == 0   ? "write only:"
                    : mode == 1 ? "srtp unprotect+write:"
                                : "recv+srtp+write:",
                    mb / p, mb / pwl[rounds / 2], mb / s, mb / swl[rounds / 2], s / p);
        std::printf("%-22s CPU s per 1.5 Mbit/s stream-hour: plain %.2f, sealed %.2f (audio 64 kbit/s: %.3f sealed)\n",
                    "", p / static_cast<double>(total) * bytesPerHour, s / static_cast<double>(total) * bytesPerHour,
                    s / static_cast<double>(total) * (64e3 / 8 * 3600));
        if (mode == 2) pipelineRatio = s / p;
    }
    std::printf("target sealed/plain <= 1.10x on the recorder path (recv+srtp+write): %s (%.2fx)\n",
                pipelineRatio <= 1.10 ? "MET" : "MISSED", pipelineRatio);
    std::filesystem::remove_all(dir);
    srtp_shutdown();
    return 0;
}
