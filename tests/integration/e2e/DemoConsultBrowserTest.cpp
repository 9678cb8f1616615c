// The demo consult page (tests/e2e/demo) end to end in headless Chromium against the real Janus: the
// demo server mints development tokens with the key scripts/janus-conf.sh generated for this Janus;
// provider and patient pages join janus.plugin.hipaa.room, the patient checks in with a date of birth
// and waits, the provider admits, both receive each other's audio and video, chat passes both ways, the
// provider shares the screen, the patient mutes, the provider ends the visit and both pages show it. Runs inside scripts/netns-run.sh (see CMakeLists.txt).
#include "hipaa/Json.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "NodeScript.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

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

class DemoConsultBrowser : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_NE(std::getenv("HIPAA_NETNS"), nullptr) << "run through ctest or scripts/netns-run.sh";
        janus_.start();
    }

    // Runs tests/e2e/demo-e2e.js with media through `mediaPlugin` and checks its report.
    void runConsult(const std::string& mediaPlugin, const std::string& artifacts) {
        std::filesystem::remove_all(artifacts);
        NodeScript run("demo-e2e.js", {"--janus", janus_.httpUrl(), "--admin", janus_.adminUrl(), "--conf",
                                       janus_.configDir(), "--media-plugin", mediaPlugin, "--artifacts", artifacts,
                                       "--min-frames", "20", "--timeout", "40"});
        auto line = run.waitLine("E2E_RESULT ", 90s);
        int rc = run.wait(30s);
        if (!line) {
            std::string log = janus_.log();
            FAIL() << "no E2E_RESULT line (exit " << rc << "); janus log tail:\n"
                   << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
        }
        JsonPtr r = J(*line);
        EXPECT_EQ(rc, 0) << *line;
        EXPECT_TRUE(json_is_true(json_object_get(r.get(), "ok"))) << *line;
        // visit created, provider joined, wrong dob refused, patient waiting, admitted, media both ways,
        // chat both ways, screen share received, mute silences, visit ended on both pages.
        EXPECT_EQ(json_array_size(json_object_get(r.get(), "steps")), 10u) << *line;
        EXPECT_GE(num(json_object_get(r.get(), "providerLevelWhilePatientMuted")), 0) << *line;
        EXPECT_LT(num(json_object_get(r.get(), "providerLevelWhilePatientMuted")), 0.001) << *line;
        for (const char* who : {"provider", "patient"}) {
            SCOPED_TRACE(who);
            const json_t* video = at(r.get(), {who, "stats", "inbound", "video"});
            const json_t* audio = at(r.get(), {who, "stats", "inbound", "audio"});
            EXPECT_GE(num(json_object_get(video, "framesDecoded")), 20) << *line;
            EXPECT_EQ(jsonString(video, "codec").value_or(""), "video/VP8");
            EXPECT_GE(num(json_object_get(audio, "packetsReceived")), 50);
            EXPECT_GT(num(json_object_get(audio, "totalAudioEnergy")), 0);
            EXPECT_GT(num(at(r.get(), {who, "audioLevelPeak"})), 0.001);
            for (const char* shot : {"waiting", "call", "ended"})
                EXPECT_TRUE(isPng(artifacts + "/demo-" + who + "-" + shot + ".png")) << shot;
        }
        int status = janus_.stop();
        std::string log = janus_.log();
        EXPECT_EQ(status, 0) << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
        EXPECT_NE(log.find("Bye!"), std::string::npos);
        for (const char* bad : {"Segmentation", "AddressSanitizer", "double free", "corrupted", "Aborted", "[FATAL]"})
            EXPECT_EQ(log.find(bad), std::string::npos) << bad;
    }

    JanusProcess janus_;
};

}  // namespace

// Signalling (token, date-of-birth check-in, waiting room, admit, end) through janus.plugin.hipaa.room;
// media and chat through a stock VideoRoom room next to it, with the page's VideoRoom flow.
TEST_F(DemoConsultBrowser, HipaaRoomSignallingWithVideoRoomMedia) {
    runConsult("janus.plugin.videoroom", std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-demo-videoroom-media");
}

// Everything through janus.plugin.hipaa.room: the page's VideoRoom multistream flow with only the plugin
// name, the token and the waiting room changed (publish on the room handle, subscribers with private_id).
TEST_F(DemoConsultBrowser, HipaaRoomMediaAndChat) {
    runConsult("janus.plugin.hipaa.room", std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-demo-hipaa-room");
}
