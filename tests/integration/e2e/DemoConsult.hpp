// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The demo consult page (tests/e2e/demo) in headless Chromium against the real Janus, for the browser
// tests: runConsult() runs tests/e2e/demo-e2e.js and checks what every consult must show (media both
// ways, mute, screenshots); configure() edits the generated Janus config before Janus starts.
#include "JanusProcess.hpp"
#include "NodeScript.hpp"
#include "ScriptResult.hpp"
#include "hipaa/Json.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace hipaa::test {

class DemoConsultFixture : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_NE(std::getenv("HIPAA_NETNS"), nullptr) << "run through ctest or scripts/netns-run.sh";
        configure();
        if (HasFatalFailure()) return;
        janus_.start();
    }
    virtual void configure() {}

    // Runs tests/e2e/demo-e2e.js with media through `mediaPlugin` (and `extra` options) and checks its
    // report (`steps` steps passed); the report in `report`. Janus keeps running: expectCleanStop().
    void runConsult(const std::string& mediaPlugin, const std::string& artifacts, std::vector<std::string> extra = {},
                    size_t steps = 10, JsonPtr* report = nullptr) {
        std::filesystem::remove_all(artifacts);
        std::vector<std::string> args{
            "--janus",   janus_.httpUrl(), "--admin", janus_.adminUrl(), "--conf", janus_.configDir(), "--media-plugin",
            mediaPlugin, "--artifacts",    artifacts, "--min-frames",    "20",     "--timeout",        "40"};
        args.insert(args.end(), extra.begin(), extra.end());
        // The script's own deadline (the last --timeout) plus time to report and shut its browsers.
        int deadlineS = 40;
        for (size_t i = 0; i + 1 < args.size(); ++i)
            if (args[i] == "--timeout") deadlineS = std::stoi(args[i + 1]);
        NodeScript run("demo-e2e.js", args);
        auto line = run.waitLine("E2E_RESULT ", std::chrono::seconds(deadlineS + 50));
        int rc = run.wait(std::chrono::seconds(30));
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
        // (--record: recorded after the patient's consent, after media both ways.)
        EXPECT_EQ(json_array_size(json_object_get(r.get(), "steps")), steps) << *line;
        EXPECT_GE(jsonNumber(json_object_get(r.get(), "providerLevelWhilePatientMuted")), 0) << *line;
        EXPECT_LT(jsonNumber(json_object_get(r.get(), "providerLevelWhilePatientMuted")), 0.001) << *line;
        for (const char* who : {"provider", "patient"}) {
            SCOPED_TRACE(who);
            const json_t* video = jsonAt(r.get(), {who, "stats", "inbound", "video"});
            const json_t* audio = jsonAt(r.get(), {who, "stats", "inbound", "audio"});
            EXPECT_GE(jsonNumber(json_object_get(video, "framesDecoded")), 20) << *line;
            EXPECT_EQ(jsonString(video, "codec").value_or(""), "video/VP8");
            EXPECT_GE(jsonNumber(json_object_get(audio, "packetsReceived")), 50);
            EXPECT_GT(jsonNumber(json_object_get(audio, "totalAudioEnergy")), 0);
            EXPECT_GT(jsonNumber(jsonAt(r.get(), {who, "audioLevelPeak"})), 0.001);
            for (const char* shot : {"waiting", "call", "ended"})
                EXPECT_TRUE(isScreenshotPng(artifacts + "/demo-" + who + "-" + shot + ".png")) << shot;
        }
        if (report) *report = std::move(r);
    }

    void expectCleanStop() {
        int status = janus_.stop();
        std::string log = janus_.log();
        EXPECT_EQ(status, 0) << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
        EXPECT_NE(log.find("Bye!"), std::string::npos);
        for (const char* bad : {"Segmentation", "AddressSanitizer", "double free", "corrupted", "Aborted", "[FATAL]"})
            EXPECT_EQ(log.find(bad), std::string::npos) << bad;
    }

    JanusProcess janus_;
};

}  // namespace hipaa::test
