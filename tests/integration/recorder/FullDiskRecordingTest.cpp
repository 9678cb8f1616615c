// SPDX-License-Identifier: GPL-3.0-or-later
// Real Janus, a real full filesystem: the recorder's recordings_dir is a small tmpfs (in a mount
// namespace of this test process, inherited by the Janus it starts, gone when both exit). A stock
// VideoRoom remote publisher is fed marked RTP and forwarded with SRTP to the recorder (per-stream keys:
// one rtp_forward per stream); mid-recording
// the tmpfs is filled to the last byte, then freed. Nothing of any packet may reach the folder in
// clear, and what was written before the failure must verify against the signed manifest.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "FreePort.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "RecordingChecks.hpp"
#include "TempDir.hpp"
#include "UniqueFd.hpp"

using namespace hipaa;
using namespace hipaa::test;

namespace {

constexpr const char* kRecorderPlugin = "janus.plugin.hipaa.recorder";
constexpr std::string_view kMarker = "PHI-MARKER-";

std::string textOf(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }

// This thread (and the Janus it forks) gets a private mount namespace with a tmpfs at `dir`.
// Nothing to clean up on failure: the mount lives only as long as the processes that see it.
bool mountPrivateTmpfs(const std::string& dir, const std::string& size, std::string& why) {
    if (::unshare(CLONE_NEWNS) != 0) {
        why = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno) + " (run as root, as scripts/test.sh does)";
        return false;
    }
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        why = std::string("making / private: ") + std::strerror(errno);
        return false;
    }
    std::filesystem::create_directories(dir);
    std::string opts = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts.c_str()) != 0) {
        why = std::string("mount tmpfs: ") + std::strerror(errno);
        return false;
    }
    return true;
}

// Detaches the tmpfs again so that the test folder can be removed (declared after the JanusProcess).
struct Unmount {
    std::string dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
};

// Writes zeros to `path` until the filesystem refuses (ENOSPC); returns the bytes written.
size_t fillUp(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return 0;
    static const char zeros[4096] = {};
    size_t total = 0;
    for (;;) {
        ssize_t n = ::write(fd, zeros, sizeof zeros);
        if (n <= 0) break;
        total += static_cast<size_t>(n);
    }
    ::close(fd);
    return total;
}

// Plain RTP into the VideoRoom remote publisher (SSRC 1000 + 10 * mindex selects the stream).
class RtpFeeder {
public:
    explicit RtpFeeder(int port) : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        to_.sin_family = AF_INET;
        to_.sin_port = htons(static_cast<uint16_t>(port));
        to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    ~RtpFeeder() { ::close(fd_); }
    void send(int mindex, uint8_t pt, size_t payload) {
        uint16_t& seq = seq_[mindex];
        uint32_t ssrc = 1000u + 10u * static_cast<uint32_t>(mindex);
        uint32_t ts = static_cast<uint32_t>(seq) * (mindex == 0 ? 960u : 3000u);
        Bytes p(12 + payload, static_cast<uint8_t>(seq));
        p[0] = 0x80;
        p[1] = pt;
        p[2] = static_cast<uint8_t>(seq >> 8);
        p[3] = static_cast<uint8_t>(seq);
        for (int i = 0; i < 4; ++i) {
            p[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
            p[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
        }
        std::string text = std::string(kMarker) + (mindex == 0 ? "a" : "v") + std::to_string(seq);
        std::copy(text.begin(), text.end(), p.begin() + 12 + 4);  // after a would-be VP8 descriptor
        ::sendto(fd_, p.data(), p.size(), 0, reinterpret_cast<const sockaddr*>(&to_), sizeof to_);
        ++seq;
    }
    // ~`ms` of media: one audio and one video packet every 10 ms.
    void run(int ms) {
        for (int t = 0; t < ms; t += 10) {
            send(0, 111, 160);
            send(1, 96, 900);
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

private:
    int fd_;
    sockaddr_in to_{};
    uint16_t seq_[2] = {0, 0};
};

size_t markersIn(const Bytes& b) {
    size_t n = 0;
    for (auto it = b.begin(); (it = std::search(it, b.end(), kMarker.begin(), kMarker.end())) != b.end(); ++it) ++n;
    return n;
}

}  // namespace

TEST(RecorderFullDisk, AFilesystemFilledMidRecordingAndFreedLeavesNoPlaintextAndAVerifiablePrefix) {
    JanusProcess janus;
    const std::string mnt = janus.configFile("tmpfs");
    std::string why;
    ASSERT_TRUE(mountPrivateTmpfs(mnt, "4m", why)) << why;
    Unmount unmount{mnt};
    const std::string recDir = mnt + "/recordings";
    int base = freeLoopbackPort();
    if (base > 65000) base = 42000;
    {
        std::string cfg = readFile(janus.configFile("janus.plugin.hipaa.recorder.jcfg"));
        size_t at = cfg.find("recordings_dir = \"");
        ASSERT_NE(at, std::string::npos) << cfg;
        size_t end = cfg.find('\n', at);
        cfg.replace(at, end - at, "recordings_dir = \"" + recDir + "\"");
        cfg = setJcfgKey(cfg, "rtp_port_min", base);
        cfg = setJcfgKey(cfg, "rtp_port_max", base + 50);
        cfg = setJcfgKey(cfg, "chunk_bytes", 4096);
        cfg = setJcfgKey(cfg, "chunk_ms", 100);  // many seals while the disk is full
        janus.writeConfig("janus.plugin.hipaa.recorder.jcfg", cfg);
    }
    janus.start();
    JanusClient client(janus);

    uint64_t session = client.createSession();
    uint64_t handle = client.attach(session, "janus.plugin.videoroom");
    JsonPtr created = client.messageData(
        session, handle,
        J(R"({"request":"create","room":4343,"secret":"s3","publishers":4,"audiocodec":"opus","videocodec":"vp8"})")
            .get());
    ASSERT_EQ(textOf(created.get(), "videoroom"), "created") << jsonDump(created.get());
    JsonPtr remote = client.messageData(session, handle,
                                        J(R"({"request":"add_remote_publisher","room":4343,"secret":"s3",
        "display":"test-source","streams":[{"type":"audio","mindex":0,"mid":"0","codec":"opus"},
        {"type":"video","mindex":1,"mid":"1","codec":"vp8"}]})")
                                            .get());
    ASSERT_EQ(textOf(remote.get(), "videoroom"), "success") << jsonDump(remote.get());

    // A key per stream: the stock VideoRoom takes one srtp_crypto per rtp_forward, so one forward per stream.
    JsonPtr started = client.messagePlugin(kRecorderPlugin, J(R"({"request":"start","srtp_keys":"per_stream","streams":[
        {"kind":"audio","codec":"opus","mid":"0"},{"kind":"video","codec":"vp8","mid":"1"}]})")
                                                                .get());
    std::string id = textOf(started.get(), "recording");
    ASSERT_EQ(id.size(), 32u) << jsonDump(started.get());
    const json_t* ports = json_object_get(started.get(), "streams");
    for (size_t i = 0; i < 2; ++i) {
        const json_t* p = json_array_get(ports, i);
        JsonPtr fwd = J(R"({"request":"rtp_forward","room":4343,"secret":"s3"})");
        jsonSet(fwd.get(), "publisher_id", *jsonInt(remote.get(), "id"));
        jsonSet(fwd.get(), "host", textOf(started.get(), "host"));
        jsonSet(fwd.get(), "srtp_suite", *jsonInt(started.get(), "srtp_suite"));
        jsonSet(fwd.get(), "srtp_crypto", textOf(p, "srtp_crypto"));
        JsonPtr streams = jsonArray();
        JsonPtr s = jsonObject();
        jsonSet(s.get(), "mid", textOf(p, "mid"));
        jsonSet(s.get(), "port", *jsonInt(p, "port"));
        json_array_append_new(streams.get(), jsonRelease(std::move(s)));
        jsonSet(fwd.get(), "streams", std::move(streams));
        ASSERT_EQ(textOf(client.messageData(session, handle, fwd.get()).get(), "videoroom"), "rtp_forward");
    }

    auto status = [&] {
        return client.messagePlugin(kRecorderPlugin, J(R"({"request":"status","recording":")" + id + "\"}").get());
    };
    RtpFeeder feed(static_cast<int>(*jsonInt(remote.get(), "port")));
    feed.run(1500);  // recorded normally
    JsonPtr before = status();
    ASSERT_EQ(json_object_get(before.get(), "failure"), nullptr) << jsonDump(before.get());

    const std::string filler = mnt + "/filler";
    size_t filled = fillUp(filler);  // the disk is full from here on
    EXPECT_GT(filled, 0u);
    feed.run(1500);
    JsonPtr during = status();
    EXPECT_EQ(textOf(during.get(), "failure"), "no_space") << jsonDump(during.get());
    ASSERT_EQ(::unlink(filler.c_str()), 0);  // room again
    feed.run(1500);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    JsonPtr stopped = client.messagePlugin(kRecorderPlugin, J(R"({"request":"stop","recording":")" + id + "\"}").get());
    EXPECT_EQ(textOf(stopped.get(), "status"), "failed") << jsonDump(stopped.get());
    EXPECT_EQ(textOf(stopped.get(), "failure"), "no_space");
    const json_t* files = json_object_get(stopped.get(), "files");
    ASSERT_EQ(json_array_size(files), 2u) << jsonDump(stopped.get());
    for (size_t i = 0; i < 2; ++i) {
        const json_t* f = json_array_get(files, i);
        EXPECT_EQ(jsonBool(f, "complete"), false) << jsonDump(f);
        EXPECT_GT(jsonInt(f, "packets").value_or(0), 50) << jsonDump(f);  // recorded before the disk filled
        EXPECT_GT(jsonInt(f, "lost").value_or(0), 50) << jsonDump(f);     // arrived after the failure
        EXPECT_EQ(jsonInt(f, "srtp_failed"), 0);
    }

    // Not one marker anywhere in the folder (recordings, state, manifest): no window of plaintext.
    size_t scanned = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(mnt)) {
        if (!e.is_regular_file()) continue;
        Bytes b = recorder::readWholeFile(e.path().string());
        EXPECT_EQ(markersIn(b), 0u) << e.path() << " holds payload in clear";
        scanned += b.size();
    }
    EXPECT_GT(scanned, 100000u);

    // What was written before the failure verifies against the signed manifest; it is incomplete.
    JsonPtr verified =
        client.messagePlugin(kRecorderPlugin, J(R"({"request":"verify","recording":")" + id + "\"}").get());
    const json_t* rep = json_object_get(verified.get(), "verification");
    EXPECT_EQ(jsonBool(rep, "ok"), true) << jsonDump(verified.get());
    EXPECT_EQ(jsonBool(rep, "complete"), false);
    for (size_t i = 0; i < 2; ++i) {
        const json_t* f = json_array_get(json_object_get(rep, "files"), i);
        EXPECT_EQ(jsonBool(f, "chunks_checked"), true);
        EXPECT_EQ(jsonBool(f, "sha256_matches_manifest"), true);
        EXPECT_EQ(jsonInt(f, "packets"), jsonInt(json_array_get(files, i), "packets"));
    }

    // The authentic prefix exports: the first packets sent, in order, byte for byte where we marked them.
    JsonPtr exported =
        client.messagePlugin(kRecorderPlugin, J(R"({"request":"export","recording":")" + id + "\"}").get());
    const json_t* out = json_object_get(exported.get(), "files");
    ASSERT_EQ(json_array_size(out), 2u) << jsonDump(exported.get());
    std::vector<Bytes> audio = mjrPayloads(json_string_value(json_array_get(out, 0)));
    ASSERT_EQ(static_cast<int64_t>(audio.size()), *jsonInt(json_array_get(files, 0), "packets"));
    for (size_t i = 0; i < audio.size(); ++i) {
        std::string want = std::string(kMarker) + "a" + std::to_string(i);
        EXPECT_EQ(std::string(audio[i].begin() + 4, audio[i].begin() + 4 + static_cast<long>(want.size())), want);
    }

    JsonPtr info = client.messagePlugin(kRecorderPlugin, J(R"({"request":"info"})").get());
    EXPECT_EQ(jsonInt(info.get(), "write_failures"), 2) << jsonDump(info.get());
    client.destroySession(session);
    EXPECT_EQ(janus.stop(), 0);
    std::string log = janus.log();
    EXPECT_NE(log.find("write failed (no_space)"), std::string::npos);
    EXPECT_EQ(log.find(std::string(kMarker)), std::string::npos);
}
