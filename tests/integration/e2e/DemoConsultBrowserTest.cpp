// SPDX-License-Identifier: GPL-3.0-or-later
// The demo consult page (tests/e2e/demo) end to end in headless Chromium against the real Janus: the
// demo server mints development tokens with the key scripts/janus-conf.sh generated for this Janus;
// provider and patient pages join janus.plugin.hipaa.room, the patient checks in with a date of birth
// and waits, the provider admits, both receive each other's audio and video, chat passes both ways, the
// provider shares the screen, the patient mutes, the provider ends the visit and both pages show it. Runs inside
// scripts/netns-run.sh (see CMakeLists.txt). The recorded consult (--record) then checks the recorder's files: export,
// janus-pp-rec, ffprobe, and no plaintext payload at rest (tests/support/RecordingChecks).
#include "DemoConsult.hpp"
#include "JanusClient.hpp"
#include "RecordingChecks.hpp"
#include "Shell.hpp"

#include <unistd.h>

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

class DemoConsultBrowser : public DemoConsultFixture {
protected:
    static constexpr const char* kCopyPassphrase = "correct horse battery staple";

    // The patient's copy (the demo's "Download my visit"): `providerExports` recordings, each stream
    // converted and playable; opened with the passphrase and the recorder's public key only.
    void checkPatientCopy(const json_t* copy, size_t providerExports) {
        ASSERT_TRUE(json_is_object(copy)) << "no copy in the report";
        EXPECT_EQ(providerExports, 2u) << "the provider's token lists both feeds' recordings as their own";
        EXPECT_EQ(jsonInt(copy, "recordings").value_or(0), 2);
        const std::string file = janus_.configFile("exports/" + std::string(jsonString(copy, "file").value_or("")));
        ASSERT_TRUE(std::filesystem::exists(file)) << file;
        EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(file)), jsonInt(copy, "bytes").value_or(-1));
        janus_.writeConfig("copy-passphrase", kCopyPassphrase, 0600);
        JanusClient client(janus_);
        JsonPtr info = client.messagePlugin("janus.plugin.hipaa.recorder", J(R"({"request":"info"})").get());
        const std::string out = janus_.configFile("patient-copy");
        std::filesystem::create_directory(out);
        Shell::Result opened =
            Shell::run(std::string(HIPAA_BUILD_DIR) + "/plugins/recorder/hipaa-recorder-tool open-copy '" + file +
                       "' '" + out + "' " + std::string(jsonString(info.get(), "signing_public_key").value_or("")) +
                       " --passphrase-file '" + janus_.configFile("copy-passphrase") + "' 2>&1");
        ASSERT_EQ(opened.status, 0) << opened.out;
        EXPECT_NE(opened.out.find("verified"), std::string::npos) << opened.out;
        size_t media = 0;
        for (const auto& e : std::filesystem::directory_iterator(out)) {
            const std::string name = e.path().filename();
            if (name.rfind("recording-", 0) != 0) continue;
            std::string codec;
            double s = probeDuration(e.path(), codec);
            EXPECT_EQ(codec, name.find("-audio.") != std::string::npos ? "opus" : "vp8") << name;
            EXPECT_GE(s, 5.0) << name;
            ++media;
        }
        EXPECT_EQ(media, 4u) << "audio and video of both feeds";
        for (const char* f : {"manifest.json", "notes.json", "disclosures.json"})
            EXPECT_TRUE(std::filesystem::exists(out + "/" + f)) << f;
    }
};

}  // namespace

// Signalling (token, date-of-birth check-in, waiting room, admit, end) through janus.plugin.hipaa.room;
// media and chat through a stock VideoRoom room next to it, with the page's VideoRoom flow.
TEST_F(DemoConsultBrowser, HipaaRoomSignallingWithVideoRoomMedia) {
    runConsult("janus.plugin.videoroom", std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-demo-videoroom-media");
    expectCleanStop();
}

// Everything through janus.plugin.hipaa.room: the page's VideoRoom multistream flow with only the plugin
// name, the token and the waiting room changed (publish on the room handle, subscribers with private_id).
TEST_F(DemoConsultBrowser, HipaaRoomMediaAndChat) {
    runConsult("janus.plugin.hipaa.room", std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-demo-hipaa-room");
    expectCleanStop();
}

// The same consult, recorded. After media flows both ways the provider sends `record`, the
// patient is asked and consents, both pages see `recording: started`, 8 s of both feeds go through the
// room's RecordingTap (in process, through the recorder's RecordingSink) into janus.plugin.hipaa.recorder, the provider
// sends `stop_record`. Then for each recorder recording (one per publisher feed: provider and patient) the recorder's
// Admin API verifies and exports it, janus-pp-rec converts, ffprobe must see Opus and VP8 lasting about as long as the
// recording ran, and no payload byte of the export occurs in its .jrec files. Before that, after the
// end, the provider exports the recordings with a provider actor token and the patient presses
// "Download my visit": the copy opens with the patient's passphrase and the recorder's public key
// only, its manifest verifies, and both recordings' media play for about as long as they ran.
TEST_F(DemoConsultBrowser, HipaaRoomConsultRecordedAfterConsentExportsPlayableEncryptedMedia) {
    ASSERT_EQ(::access("/usr/bin/ffprobe", X_OK), 0) << "ffmpeg missing: run scripts/deps.sh";
    const double recordS = 8;
    JsonPtr report;
    // The deadline covers the whole consult (the 8 s recording included); 60 s ran out at load 18 on 2 cores.
    runConsult("janus.plugin.hipaa.room", std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-demo-recorded",
               {"--record", "8", "--timeout", "110", "--copy", kCopyPassphrase}, 12, &report);
    ASSERT_TRUE(report);
    const double wallS = jsonNumber(jsonAt(report.get(), {"recording", "wallMs"})) / 1000;
    EXPECT_GE(wallS, recordS);
    checkPatientCopy(jsonAt(report.get(), {"copy"}), json_array_size(jsonAt(report.get(), {"providerExports"})));

    // The room's events carry no recorder ids (PHI-free counts only): the recorder lists its recordings.
    constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";
    JanusClient client(janus_);
    JsonPtr list = client.messagePlugin(kRecorder, J(R"({"request":"list"})").get());
    const json_t* recordings = json_object_get(list.get(), "recordings");
    ASSERT_EQ(json_array_size(recordings), 2u) << "one per publisher feed: " << jsonDump(list.get());
    for (size_t i = 0; i < json_array_size(recordings); ++i) {
        const json_t* rec = json_array_get(recordings, i);
        const std::string id(jsonString(rec, "recording").value_or(""));
        SCOPED_TRACE(jsonDump(rec));
        ASSERT_EQ(id.size(), 32u);
        EXPECT_EQ(jsonString(rec, "status").value_or(""), "sealed");
        const double spanS =
            static_cast<double>(jsonInt(rec, "ended_ms").value_or(0) - jsonInt(rec, "created_ms").value_or(0)) / 1000;
        EXPECT_GE(spanS, recordS - 1.5);
        EXPECT_LE(spanS, wallS + 1.0);
        const json_t* streams = json_object_get(rec, "streams");
        ASSERT_EQ(json_array_size(streams), 2u);

        auto byId = [&](const char* request) {
            JsonPtr q = J(R"({"request":""})");
            jsonSet(q.get(), "request", request);
            jsonSet(q.get(), "recording", id);
            return client.messagePlugin(kRecorder, q.get());
        };
        JsonPtr verified = byId("verify");
        const json_t* verification = json_object_get(verified.get(), "verification");
        EXPECT_EQ(jsonBool(verification, "ok"), true) << jsonDump(verified.get());
        const json_t* sealed = json_object_get(verification, "files");
        ASSERT_EQ(json_array_size(sealed), 2u) << jsonDump(verified.get());
        JsonPtr exported = byId("export");
        const json_t* files = json_object_get(exported.get(), "files");
        ASSERT_EQ(json_array_size(files), 2u) << jsonDump(exported.get());

        std::vector<Bytes> known;
        for (size_t k = 0; k < 2; ++k) {
            const json_t* stream = json_array_get(streams, k);
            const std::string kind(jsonString(stream, "kind").value_or(""));
            const std::string mjr = json_string_value(json_array_get(files, k));
            std::string codec;
            double s = convertAndProbe(mjr, janus_.configFile(id + (kind == "audio" ? ".opus" : ".webm")), codec);
            EXPECT_EQ(codec, kind == "audio" ? "opus" : "vp8") << kind;
            EXPECT_EQ(jsonString(stream, "codec").value_or(""), codec);
            EXPECT_GE(s, 5.0) << kind;
            EXPECT_NEAR(s, spanS, 1.0) << kind;
            // Opus at 50 packets/s; Chromium's fake camera gave ~60 VP8 packets/s here.
            const int64_t packets = jsonInt(json_array_get(sealed, k), "packets").value_or(0);
            EXPECT_GT(packets, kind == "audio" ? 300 : 150) << kind;
            std::printf("recorded consult: %s %s %s %.2f s, %lld packets (recording %.2f s, wall %.2f s)\n", id.c_str(),
                        kind.c_str(), codec.c_str(), s, static_cast<long long>(packets), spanS, wallS);
            std::vector<Bytes> p = mjrPayloads(mjr);
            known.insert(known.end(), p.begin(), p.end());
        }
        ASSERT_GT(known.size(), 300u);
        size_t checked = 0;
        for (const char* n : {"-0.jrec", "-1.jrec"})
            checked += expectNoPlaintext(janus_.configFile("recordings/" + id + n), known);
        EXPECT_GT(checked, 100u);
    }
    expectCleanStop();
}
