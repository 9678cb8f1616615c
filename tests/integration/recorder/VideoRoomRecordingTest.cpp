// SPDX-License-Identifier: GPL-3.0-or-later
// Real Janus: a stock VideoRoom publisher (a VideoRoom "remote publisher" fed with Opus + VP8 RTP by
// ffmpeg) is forwarded with rtp_forward + SRTP to janus.plugin.hipaa.recorder; the export converts
// with janus-pp-rec and ffprobe must see the codecs and a duration close to what was sent.
#include "FreePort.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "RecordingChecks.hpp"
#include "Shell.hpp"
#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;

namespace {

constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";

std::string str(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }

}  // namespace

TEST(RecorderIntegration, VideoRoomRtpForwardWithSrtpIsRecordedEncryptedAndExportsToPlayableMedia) {
    ASSERT_EQ(::access("/usr/bin/ffmpeg", X_OK), 0) << "ffmpeg missing: run scripts/deps.sh";
    JanusProcess janus;
    int base = freeLoopbackPort();
    if (base > 65000) base = 41000;
    {
        std::string cfg = readFile(janus.configFile("janus.plugin.hipaa.recorder.jcfg"));
        cfg = setJcfgKey(cfg, "rtp_port_min", base);
        cfg = setJcfgKey(cfg, "rtp_port_max", base + 50);
        ASSERT_NE(cfg.find("rtp_port_min = " + std::to_string(base) + "\n"), std::string::npos) << cfg;
        janus.writeConfig("janus.plugin.hipaa.recorder.jcfg", cfg);
    }
    janus.start();
    JanusClient client(janus);

    // A VideoRoom room and a remote publisher that takes plain RTP (SSRC 1000: mindex 0, 1010: mindex 1).
    uint64_t session = client.createSession();
    uint64_t handle = client.attach(session, "janus.plugin.videoroom");
    JsonPtr created = client.messageData(
        session, handle,
        J(R"({"request":"create","room":4242,"secret":"s3","publishers":4,"audiocodec":"opus","videocodec":"vp8"})")
            .get());
    ASSERT_EQ(str(created.get(), "videoroom"), "created") << jsonDump(created.get());
    JsonPtr remote = client.messageData(session, handle,
                                        J(R"({"request":"add_remote_publisher","room":4242,"secret":"s3",
        "display":"test-source","streams":[{"type":"audio","mindex":0,"mid":"0","codec":"opus"},
        {"type":"video","mindex":1,"mid":"1","codec":"vp8"}]})")
                                            .get());
    ASSERT_EQ(str(remote.get(), "videoroom"), "success") << jsonDump(remote.get());
    int64_t publisher = *jsonInt(remote.get(), "id");
    int64_t rtpPort = *jsonInt(remote.get(), "port"), rtcpPort = *jsonInt(remote.get(), "rtcp_port");

    // The recorder allocates ports and SRTP keys; the VideoRoom forwards to them.
    JsonPtr started = client.messagePlugin(kRecorder, J(R"({"request":"start","streams":[
        {"kind":"audio","codec":"opus","mid":"0"},{"kind":"video","codec":"vp8","mid":"1"}]})")
                                                          .get());
    std::string id = str(started.get(), "recording");
    ASSERT_EQ(id.size(), 32u) << jsonDump(started.get());
    const json_t* ports = json_object_get(started.get(), "streams");
    JsonPtr fwd = J(R"({"request":"rtp_forward","room":4242,"secret":"s3"})");
    jsonSet(fwd.get(), "publisher_id", publisher);
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
    JsonPtr fwdReply = client.messageData(session, handle, fwd.get());
    ASSERT_EQ(str(fwdReply.get(), "videoroom"), "rtp_forward") << jsonDump(fwdReply.get());

    // 6 seconds of Opus (sine) and VP8 (test pattern) in real time.
    const double seconds = 6.0;
    std::string dest =
        "rtp://127.0.0.1:" + std::to_string(rtpPort) + "?rtcpport=" + std::to_string(rtcpPort) + "&pkt_size=1200";
    Shell::Result ff = Shell::run(
        "ffmpeg -hide_banner -loglevel error -re -f lavfi -i sine=frequency=440:sample_rate=48000:duration=6"
        " -re -f lavfi -i testsrc=size=320x240:rate=15:duration=6"
        " -map 0:a -c:a libopus -b:a 48k -ac 2 -f rtp -ssrc 1000 -payload_type 111 '" +
        dest +
        "'"
        " -map 1:v -c:v libvpx -deadline realtime -cpu-used 8 -b:v 300k -g 15 -f rtp -ssrc 1010 -payload_type 96 '" +
        dest + "' 2>&1");
    ASSERT_EQ(ff.status, 0) << ff.out;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));

    JsonPtr status = client.messagePlugin(kRecorder, J(R"({"request":"status","recording":")" + id + "\"}").get());
    JsonPtr stopped = client.messagePlugin(kRecorder, J(R"({"request":"stop","recording":")" + id + "\"}").get());
    const json_t* files = json_object_get(stopped.get(), "files");
    ASSERT_EQ(json_array_size(files), 2u) << jsonDump(stopped.get());
    EXPECT_GT(jsonInt(json_array_get(files, 0), "packets").value_or(0), 200) << jsonDump(stopped.get());  // 50/s
    EXPECT_GT(jsonInt(json_array_get(files, 1), "packets").value_or(0), 80) << jsonDump(stopped.get());
    EXPECT_EQ(jsonInt(json_array_get(files, 0), "srtp_failed"), 0);
    EXPECT_EQ(jsonInt(json_array_get(files, 1), "srtp_failed"), 0);
    // One key for both streams (srtp_keys shared): each port pinned its stream's SSRC, nothing refused.
    EXPECT_EQ(jsonInt(json_array_get(files, 0), "ssrc_refused"), 0);
    EXPECT_EQ(jsonInt(json_array_get(files, 1), "ssrc_refused"), 0);

    JsonPtr verified = client.messagePlugin(kRecorder, J(R"({"request":"verify","recording":")" + id + "\"}").get());
    EXPECT_EQ(jsonBool(json_object_get(verified.get(), "verification"), "ok"), true) << jsonDump(verified.get());

    JsonPtr exported = client.messagePlugin(kRecorder, J(R"({"request":"export","recording":")" + id + "\"}").get());
    const json_t* out = json_object_get(exported.get(), "files");
    ASSERT_EQ(json_array_size(out), 2u) << jsonDump(exported.get());
    std::string audioMjr = json_string_value(json_array_get(out, 0)),
                videoMjr = json_string_value(json_array_get(out, 1));
    struct stat st {};
    ASSERT_EQ(::stat(audioMjr.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    // janus-pp-rec turns the exports into playable files; ffprobe reads codec and duration.
    std::string opus = janus.configFile("out.opus"), webm = janus.configFile("out.webm");
    Shell::Result pp = Shell::run("janus-pp-rec '" + audioMjr + "' '" + opus + "' 2>&1");
    ASSERT_EQ(pp.status, 0) << pp.out;
    pp = Shell::run("janus-pp-rec '" + videoMjr + "' '" + webm + "' 2>&1");
    ASSERT_EQ(pp.status, 0) << pp.out;
    std::string codec;
    double d = probeDuration(opus, codec);
    EXPECT_EQ(codec, "opus");
    EXPECT_NEAR(d, seconds, 1.0);
    std::printf("recorder: audio %s %.2f s, ", codec.c_str(), d);
    d = probeDuration(webm, codec);
    EXPECT_EQ(codec, "vp8");
    EXPECT_NEAR(d, seconds, 1.0);
    std::printf("video %s %.2f s, packets %s\n", codec.c_str(), d, jsonDump(files).c_str());

    // Known payload bytes (taken from the decrypted export) never appear in the recording files.
    std::vector<Bytes> known = mjrPayloads(audioMjr), vknown = mjrPayloads(videoMjr);
    known.insert(known.end(), vknown.begin(), vknown.end());
    ASSERT_GT(known.size(), 100u);
    for (const char* n : {"-0.jrec", "-1.jrec"})
        EXPECT_GT(expectNoPlaintext(janus.configFile("recordings/" + id + n), known), 50u);

    client.destroySession(session);
    EXPECT_EQ(janus.stop(), 0);
    std::string log = janus.log();
    EXPECT_EQ(log.find("AddressSanitizer"), std::string::npos);
    (void)status;
}
