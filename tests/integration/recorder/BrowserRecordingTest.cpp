// SPDX-License-Identifier: GPL-3.0-or-later
// The recorder's UDP ingest with a real WebRTC publisher: headless Chromium (fake camera + microphone,
// tests/e2e/publish-videoroom.js) publishes into the STOCK janus.plugin.videoroom, which forwards it
// with rtp_forward + SRTP to janus.plugin.hipaa.recorder. Then verify, export, janus-pp-rec, ffprobe:
// the codecs and a duration close to the time recorded; the .jrec files hold none of the payload bytes.
// Runs inside scripts/netns-run.sh (CMakeLists.txt), like tests/integration/e2e.
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "NodeScript.hpp"
#include "RecordingChecks.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";

std::string str(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }

JsonPtr byId(JanusClient& c, const char* request, const std::string& id) {
    JsonPtr r = J(R"({"request":""})");
    jsonSet(r.get(), "request", request);
    jsonSet(r.get(), "recording", id);
    return c.messagePlugin(kRecorder, r.get());
}

}  // namespace

TEST(RecorderBrowser, ChromiumVideoRoomPublisherForwardedWithSrtpIsRecordedEncryptedAndExportsToPlayableMedia) {
    ASSERT_NE(std::getenv("HIPAA_NETNS"), nullptr) << "run through ctest or scripts/netns-run.sh";
    ASSERT_EQ(::access("/usr/bin/ffprobe", X_OK), 0) << "ffmpeg missing: run scripts/deps.sh";
    JanusProcess janus;
    janus.start();
    JanusClient client(janus);

    // A real browser publishes into a stock VideoRoom room (created by the script, secret s4).
    NodeScript pub("publish-videoroom.js",
                   {"--janus", janus.httpUrl(), "--room", "4343", "--create", "--secret", "s4", "--seconds", "10"});
    auto line = pub.waitLine("PUBLISHER ", 60s);
    ASSERT_TRUE(line.has_value()) << "publish-videoroom.js printed no PUBLISHER line";
    JsonPtr p = J(*line);
    json_int_t publisher = jsonInt(p.get(), "id").value_or(0);
    ASSERT_GT(publisher, 0) << *line;

    // The recorder allocates ports and an SRTP key; the VideoRoom forwards mid 0 (Opus), mid 1 (VP8).
    JsonPtr started = client.messagePlugin(kRecorder, J(R"({"request":"start","streams":[
        {"kind":"audio","codec":"opus","mid":"0"},{"kind":"video","codec":"vp8","mid":"1"}]})")
                                                          .get());
    std::string id = str(started.get(), "recording");
    ASSERT_EQ(id.size(), 32u) << jsonDump(started.get());
    const json_t* ports = json_object_get(started.get(), "streams");
    ASSERT_EQ(json_array_size(ports), 2u);
    JsonPtr fwd = J(R"({"request":"rtp_forward","room":4343,"secret":"s4"})");
    jsonSet(fwd.get(), "publisher_id", static_cast<int64_t>(publisher));
    jsonSet(fwd.get(), "host", str(started.get(), "host"));
    jsonSet(fwd.get(), "srtp_suite", *jsonInt(started.get(), "srtp_suite"));
    jsonSet(fwd.get(), "srtp_crypto", str(started.get(), "srtp_crypto"));
    JsonPtr streams = jsonArray();
    for (size_t i = 0; i < 2; ++i) {
        JsonPtr s = jsonObject();
        jsonSet(s.get(), "mid", str(json_array_get(ports, i), "mid"));
        jsonSet(s.get(), "port", *jsonInt(json_array_get(ports, i), "port"));
        json_array_append_new(streams.get(), jsonRelease(std::move(s)));
    }
    jsonSet(fwd.get(), "streams", std::move(streams));
    JsonPtr fwdReply = client.messagePlugin("janus.plugin.videoroom", fwd.get());
    ASSERT_EQ(str(fwdReply.get(), "videoroom"), "rtp_forward") << jsonDump(fwdReply.get());
    auto forwardedAt = std::chrono::steady_clock::now();

    std::this_thread::sleep_for(7s);
    JsonPtr status = byId(client, "status", id);
    JsonPtr stopped = byId(client, "stop", id);
    double recorded = std::chrono::duration<double>(std::chrono::steady_clock::now() - forwardedAt).count();
    // The publisher runs out its 10 s and leaves on its own (SIGTERM would also reach its Chromium).
    auto done = pub.waitLine("PUBLISHED ", 30s);
    EXPECT_EQ(pub.wait(30s), 0);

    const json_t* files = json_object_get(stopped.get(), "files");
    ASSERT_EQ(json_array_size(files), 2u) << jsonDump(stopped.get());
    EXPECT_GT(jsonInt(json_array_get(files, 0), "packets").value_or(0), 200) << jsonDump(stopped.get());  // Opus 50/s
    EXPECT_GT(jsonInt(json_array_get(files, 1), "packets").value_or(0), 100) << jsonDump(stopped.get());
    EXPECT_EQ(jsonInt(json_array_get(files, 0), "srtp_failed"), 0);
    EXPECT_EQ(jsonInt(json_array_get(files, 1), "srtp_failed"), 0);

    JsonPtr verified = byId(client, "verify", id);
    EXPECT_EQ(jsonBool(json_object_get(verified.get(), "verification"), "ok"), true) << jsonDump(verified.get());
    JsonPtr exported = byId(client, "export", id);
    const json_t* out = json_object_get(exported.get(), "files");
    ASSERT_EQ(json_array_size(out), 2u) << jsonDump(exported.get());
    std::string audioMjr = json_string_value(json_array_get(out, 0)),
                videoMjr = json_string_value(json_array_get(out, 1));
    struct stat st {};
    ASSERT_EQ(::stat(videoMjr.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    std::string codec;
    double audioS = convertAndProbe(audioMjr, janus.configFile("browser.opus"), codec);
    EXPECT_EQ(codec, "opus");
    EXPECT_NEAR(audioS, recorded, 1.0);
    std::string vcodec;
    double videoS = convertAndProbe(videoMjr, janus.configFile("browser.webm"), vcodec);
    EXPECT_EQ(vcodec, "vp8");
    EXPECT_NEAR(videoS, recorded, 1.0);
    std::printf("browser recording: recorded %.2f s wall, audio %s %.2f s, video %s %.2f s, files %s\n", recorded,
                codec.c_str(), audioS, vcodec.c_str(), videoS, jsonDump(files).c_str());

    // Payloads of the decrypted export (the browser's real Opus and VP8 bytes) never occur at rest.
    std::vector<Bytes> known = mjrPayloads(audioMjr), video = mjrPayloads(videoMjr);
    known.insert(known.end(), video.begin(), video.end());
    ASSERT_GT(known.size(), 300u);
    size_t checked = 0;
    for (const char* n : {"-0.jrec", "-1.jrec"})
        checked += expectNoPlaintext(janus.configFile("recordings/" + id + n), known);
    EXPECT_GT(checked, 100u);

    std::string log = janus.log();
    EXPECT_EQ(janus.stop(), 0);
    EXPECT_EQ(log.find("AddressSanitizer"), std::string::npos);
    (void)status;
    (void)done;
}
