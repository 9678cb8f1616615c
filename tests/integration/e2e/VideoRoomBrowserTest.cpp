// SPDX-License-Identifier: GPL-3.0-or-later
// Browser end to end through the STOCK janus.plugin.videoroom: proves the harness (namespace, Chromium,
// janus.js 1.1.2, getStats assertions, screenshots) that the hipaa room's media tests and the
// recorder's rtp_forward test build on. Runs inside scripts/netns-run.sh (see CMakeLists.txt).
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "NodeScript.hpp"
#include "ScriptResult.hpp"
#include "TempDir.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <thread>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

void expectCleanExit(JanusProcess& janus) {
    int status = janus.stop();
    std::string log = janus.log();
    EXPECT_EQ(status, 0) << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
    EXPECT_NE(log.find("Bye!"), std::string::npos);  // Janus' last line after a complete shutdown
    for (const char* bad : {"Segmentation", "double free", "corrupted", "Aborted", "[FATAL]"})
        EXPECT_EQ(log.find(bad), std::string::npos) << bad;
    // Under ASan (scripts/test.sh): any memory error, and leaks whose stacks reach our code. Janus core
    // sometimes leaks a page's session and handle at exit (the stock VideoRoom run shows the same blocks).
    for (const auto& finding : janus.sanitizerFindings()) ADD_FAILURE() << finding;
}

// A UDP socket on 127.0.0.1 (port chosen by the kernel) counting RTP packets that arrive on it.
class UdpSink {
public:
    UdpSink() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("udp socket");
        port_ = ntohs(a.sin_port);
    }
    ~UdpSink() { ::close(fd_); }
    UdpSink(const UdpSink&) = delete;
    UdpSink& operator=(const UdpSink&) = delete;
    int port() const { return port_; }
    // Reads for `ms`; counts datagrams that look like RTP (version 2, >= 12 bytes) and keeps the last PT.
    void drain(int ms) {
        auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (std::chrono::steady_clock::now() < end) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            unsigned char buf[2048];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n >= 12 && (buf[0] >> 6) == 2) {
                ++rtp;
                payloadType = buf[1] & 0x7f;
            }
        }
    }
    int rtp = 0;
    int payloadType = -1;

private:
    int fd_;
    int port_ = 0;
};

class VideoRoomBrowser : public ::testing::Test {
protected:
    void SetUp() override {
        // Outside the namespace ICE would run over the host's interfaces: refuse, do not skip.
        ASSERT_NE(std::getenv("HIPAA_NETNS"), nullptr) << "run through ctest or scripts/netns-run.sh";
        janus_.start();
    }
    JanusProcess janus_;
};

}  // namespace

// Runs tests/e2e/videoroom-e2e.js (the stock VideoRoom client flow) against `plugin` and checks that
// the subscriber page decoded the publisher's camera and microphone over DTLS-SRTP.
static void runStockClient(JanusProcess& janus, const std::string& plugin, const std::string& artifacts,
                           const std::string& roomClass = "", const std::string& codec = "vp8") {
    std::filesystem::remove_all(artifacts);
    NodeScript run("videoroom-e2e.js", {"--janus", janus.httpUrl(), "--admin", janus.adminUrl(), "--admin-secret",
                                        janus.adminSecret(), "--artifacts", artifacts, "--min-frames", "30", "--plugin",
                                        plugin, "--conf", janus.configDir(), "--class", roomClass, "--codec", codec});
    auto line = run.waitLine("E2E_RESULT ", 120s);
    int rc = run.wait(30s);
    if (!line) {
        std::string log = janus.log();
        FAIL() << "no E2E_RESULT line (exit " << rc << "); janus log tail:\n"
               << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
    }
    JsonPtr r = J(*line);
    EXPECT_EQ(rc, 0) << *line;
    EXPECT_TRUE(json_is_true(json_object_get(r.get(), "ok"))) << *line;
    EXPECT_EQ(jsonString(r.get(), "plugin").value_or(""), plugin);

    // The subscriber page decoded the publisher's fake camera (VP8) and microphone (Opus)...
    const json_t* video = jsonAt(r.get(), {"subscriber", "inbound", "video"});
    const json_t* audio = jsonAt(r.get(), {"subscriber", "inbound", "audio"});
    EXPECT_GE(jsonNumber(json_object_get(video, "framesDecoded")), 30) << *line;
    EXPECT_GT(jsonNumber(json_object_get(video, "frameWidth")), 0);
    std::string mime(jsonString(video, "codec").value_or(""));
    std::transform(mime.begin(), mime.end(), mime.begin(), [](unsigned char c) { return std::tolower(c); });
    EXPECT_EQ(mime, "video/" + codec);
    EXPECT_GE(jsonNumber(json_object_get(audio, "packetsReceived")), 50);
    EXPECT_EQ(jsonString(audio, "codec").value_or(""), "audio/opus");
    EXPECT_GT(jsonNumber(json_object_get(audio, "totalAudioEnergy")), 0) << "headless playout energy";
    EXPECT_GT(jsonNumber(json_object_get(r.get(), "audioLevelPeak")), 0.001) << "WebAudio analyser on the remote track";
    // ...over ICE inside the namespace only.
    EXPECT_EQ(jsonString(jsonAt(r.get(), {"subscriber", "candidatePair"}), "local").value_or(""), "10.99.0.1");
    EXPECT_EQ(jsonString(jsonAt(r.get(), {"publisher", "candidatePair"}), "remote").value_or(""), "10.99.0.1");
    // Janus' Admin API saw both PeerConnections with DTLS-SRTP (the script fails otherwise too).
    EXPECT_EQ(json_array_size(json_object_get(r.get(), "janusHandles")), 2u) << *line;

    EXPECT_TRUE(isScreenshotPng(artifacts + "/videoroom-publisher.png"));
    EXPECT_TRUE(isScreenshotPng(artifacts + "/videoroom-subscriber.png"));
    expectCleanExit(janus);
}

TEST_F(VideoRoomBrowser, PublisherAndSubscriberPagesExchangeAudioAndVideo) {
    runStockClient(janus_, "janus.plugin.videoroom", std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-videoroom");
}

// The same client code against our room, changed only where a clinic changes it: the plugin name, a
// token in join, the waiting room (the patient waits, the provider's page admits), and the subscriber
// opening with its participant's private_id.
TEST_F(VideoRoomBrowser, StockVideoRoomClientWorksAgainstHipaaRoom) {
    runStockClient(janus_, "janus.plugin.hipaa.room",
                   std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-videoroom-client-hipaa-room");
}

// VP9 and H.264 rooms (class `videocodec`): the subscriber decodes what the class prefers.
TEST_F(VideoRoomBrowser, HipaaRoomRelaysVp9) {
    runStockClient(janus_, "janus.plugin.hipaa.room",
                   std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-hipaa-room-vp9", "vp9", "vp9");
}
TEST_F(VideoRoomBrowser, HipaaRoomRelaysH264) {
    runStockClient(janus_, "janus.plugin.hipaa.room",
                   std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-hipaa-room-h264", "h264", "h264");
}

TEST_F(VideoRoomBrowser, PublishCliReportsItsIdWhileMediaFlowsAndRtpForwardsWithSrtp) {
    // The CLI the recorder's rtp_forward test uses: the id arrives while the browser is sending, Janus
    // (Admin API message_plugin to the stock VideoRoom) lists that id as a live publisher, and an SRTP
    // rtp_forward of it delivers RTP to local UDP ports.
    const int room = 4242;
    NodeScript pub("publish-videoroom.js", {"--janus", janus_.httpUrl(), "--room", std::to_string(room), "--create",
                                            "--secret", "e2e", "--seconds", "4"});
    auto line = pub.waitLine("PUBLISHER ", 60s);
    ASSERT_TRUE(line.has_value()) << "publish-videoroom.js printed no PUBLISHER line";
    JsonPtr p = J(*line);
    json_int_t id = json_integer_value(json_object_get(p.get(), "id"));
    ASSERT_GT(id, 0) << *line;

    JanusClient client(janus_);
    // The browser sends as soon as its side of DTLS is done; VideoRoom marks the publisher live when
    // Janus' setup_media runs a moment later (under load, after the first packets): poll for it.
    JsonPtr list;
    bool found = false;
    for (int attempt = 0; attempt < 50 && !found; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(100ms);
        list = client.messagePlugin("janus.plugin.videoroom", J(R"({"request":"listparticipants","room":4242})").get());
        const json_t* participants = json_object_get(list.get(), "participants");
        for (size_t i = 0; i < json_array_size(participants); ++i) {
            const json_t* x = json_array_get(participants, i);
            if (json_integer_value(json_object_get(x, "id")) == id)
                found = json_is_true(json_object_get(x, "publisher"));
        }
    }
    EXPECT_TRUE(found) << jsonDump(list.get());

    // The stock rtp_forward with SRTP the recorder ingests: the 1.x `streams` form, audio
    // mid 0 and video mid 1 to two local UDP ports, AES_CM_128_HMAC_SHA1_80 with a 30-byte key+salt.
    UdpSink audioSink, videoSink;
    JsonPtr fwd = J(R"({"request":"rtp_forward","room":4242,"secret":"e2e","host":"127.0.0.1","srtp_suite":80})");
    json_object_set_new(fwd.get(), "publisher_id", json_integer(id));
    json_object_set_new(fwd.get(), "srtp_crypto", json_string(base64Encode(secureRandomBytes(30)).c_str()));
    JsonPtr streams = J("[]");
    for (auto [mid, port] : {std::pair{"0", audioSink.port()}, std::pair{"1", videoSink.port()}}) {
        JsonPtr st = J("{}");
        json_object_set_new(st.get(), "mid", json_string(mid));
        json_object_set_new(st.get(), "port", json_integer(port));
        json_array_append(streams.get(), st.get());
    }
    json_object_set(fwd.get(), "streams", streams.get());
    JsonPtr fwdReply = client.messagePlugin("janus.plugin.videoroom", fwd.get());
    EXPECT_EQ(jsonString(fwdReply.get(), "videoroom").value_or(""), "rtp_forward") << jsonDump(fwdReply.get());
    audioSink.drain(1500);
    videoSink.drain(500);
    EXPECT_GT(audioSink.rtp, 20) << "SRTP-forwarded Opus packets in 1.5 s";
    EXPECT_GT(videoSink.rtp, 10) << "SRTP-forwarded VP8 packets";
    EXPECT_EQ(audioSink.payloadType, 111);  // the publisher's Opus PT, kept by rtp_forward
    EXPECT_EQ(videoSink.payloadType, 96);   // VP8

    auto done = pub.waitLine("PUBLISHED ", 30s);
    ASSERT_TRUE(done.has_value());
    JsonPtr d = J(*done);
    EXPECT_GT(jsonNumber(jsonAt(d.get(), {"outbound", "video", "framesEncoded"})), 30) << *done;
    EXPECT_GT(jsonNumber(jsonAt(d.get(), {"outbound", "audio", "packetsSent"})), 100) << *done;
    EXPECT_EQ(pub.wait(30s), 0);
    expectCleanExit(janus_);
}
