// Browser end to end through the STOCK janus.plugin.videoroom: proves the harness (namespace, Chromium,
// janus.js 1.1.2, getStats assertions, screenshots) that the hipaa room's media tests and the
// recorder's rtp_forward test build on. Runs inside scripts/netns-run.sh (see CMakeLists.txt).
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "NodeScript.hpp"
#include "TempDir.hpp"

#include <gtest/gtest.h>

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
    for (const char* bad : {"Segmentation", "AddressSanitizer", "double free", "corrupted", "Aborted", "[FATAL]"})
        EXPECT_EQ(log.find(bad), std::string::npos) << bad;
}

const json_t* at(const json_t* j, std::initializer_list<const char*> path) {
    for (const char* k : path) j = json_object_get(j, k);
    return j;
}

double num(const json_t* j) { return json_is_number(j) ? json_number_value(j) : -1; }

bool isPng(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    char magic[8] = {};
    f.read(magic, 8);
    return f.gcount() == 8 && std::string(magic + 1, 3) == "PNG" && std::filesystem::file_size(path) > 1000;
}

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

TEST_F(VideoRoomBrowser, PublisherAndSubscriberPagesExchangeAudioAndVideo) {
    std::string artifacts = std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-videoroom";
    std::filesystem::remove_all(artifacts);
    NodeScript run("videoroom-e2e.js", {"--janus", janus_.httpUrl(), "--admin", janus_.adminUrl(), "--admin-secret",
                                        janus_.adminSecret(), "--artifacts", artifacts, "--min-frames", "30"});
    auto line = run.waitLine("E2E_RESULT ", 120s);
    int rc = run.wait(30s);
    if (!line) {
        std::string log = janus_.log();
        FAIL() << "no E2E_RESULT line (exit " << rc << "); janus log tail:\n" << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
    }
    JsonPtr r = J(*line);
    EXPECT_EQ(rc, 0) << *line;
    EXPECT_TRUE(json_is_true(json_object_get(r.get(), "ok"))) << *line;

    // The subscriber page decoded the publisher's fake camera (VP8) and microphone (Opus)...
    const json_t* video = at(r.get(), {"subscriber", "inbound", "video"});
    const json_t* audio = at(r.get(), {"subscriber", "inbound", "audio"});
    EXPECT_GE(num(json_object_get(video, "framesDecoded")), 30) << *line;
    EXPECT_GT(num(json_object_get(video, "frameWidth")), 0);
    EXPECT_EQ(jsonString(video, "codec").value_or(""), "video/VP8");
    EXPECT_GE(num(json_object_get(audio, "packetsReceived")), 50);
    EXPECT_EQ(jsonString(audio, "codec").value_or(""), "audio/opus");
    EXPECT_GT(num(json_object_get(audio, "totalAudioEnergy")), 0) << "headless playout energy";
    EXPECT_GT(num(json_object_get(r.get(), "audioLevelPeak")), 0.001) << "WebAudio analyser on the remote track";
    // ...over ICE inside the namespace only.
    EXPECT_EQ(jsonString(at(r.get(), {"subscriber", "candidatePair"}), "local").value_or(""), "10.99.0.1");
    EXPECT_EQ(jsonString(at(r.get(), {"publisher", "candidatePair"}), "remote").value_or(""), "10.99.0.1");
    // Janus' Admin API saw both PeerConnections with DTLS-SRTP (the script fails otherwise too).
    EXPECT_EQ(json_array_size(json_object_get(r.get(), "janusHandles")), 2u) << *line;

    EXPECT_TRUE(isPng(artifacts + "/videoroom-publisher.png"));
    EXPECT_TRUE(isPng(artifacts + "/videoroom-subscriber.png"));
    expectCleanExit(janus_);
}

TEST_F(VideoRoomBrowser, PublishCliReportsItsIdWhileMediaFlows) {
    // The CLI the recorder's rtp_forward test uses: the id arrives while the browser is sending, and
    // Janus (Admin API message_plugin to the stock VideoRoom) lists that id as a live publisher.
    const int room = 4242;
    NodeScript pub("publish-videoroom.js", {"--janus", janus_.httpUrl(), "--room", std::to_string(room), "--create",
                                            "--secret", "e2e", "--seconds", "4"});
    auto line = pub.waitLine("PUBLISHER ", 60s);
    ASSERT_TRUE(line.has_value()) << "publish-videoroom.js printed no PUBLISHER line";
    JsonPtr p = J(*line);
    json_int_t id = json_integer_value(json_object_get(p.get(), "id"));
    ASSERT_GT(id, 0) << *line;

    JanusClient client(janus_);
    JsonPtr list = client.messagePlugin("janus.plugin.videoroom", J(R"({"request":"listparticipants","room":4242})").get());
    const json_t* participants = json_object_get(list.get(), "participants");
    bool found = false;
    for (size_t i = 0; i < json_array_size(participants); ++i) {
        const json_t* x = json_array_get(participants, i);
        if (json_integer_value(json_object_get(x, "id")) == id) found = json_is_true(json_object_get(x, "publisher"));
    }
    EXPECT_TRUE(found) << jsonDump(list.get());

    auto done = pub.waitLine("PUBLISHED ", 30s);
    ASSERT_TRUE(done.has_value());
    JsonPtr d = J(*done);
    EXPECT_GT(num(at(d.get(), {"outbound", "video", "framesEncoded"})), 30) << *done;
    EXPECT_GT(num(at(d.get(), {"outbound", "audio", "packetsSent"})), 100) << *done;
    EXPECT_EQ(pub.wait(30s), 0);
    expectCleanExit(janus_);
}
