// SPDX-License-Identifier: GPL-3.0-or-later
// The reference consult client (clients/web) end to end in headless Chromium against the real Janus:
// one run of tests/e2e/client-e2e.js for the whole patient and clinician path, including the room's
// policy on the privacy screen, an expired link, the idle-timeout and time-limit warnings, documents
// shared both ways (a wrong type refused), recording after consent, a 5 s network drop
// (veth0 down) with ICE restart and media again, axe-core on every screen, screenshots at phone and
// desktop size, the CSP header, and no token, name or date of birth in the address or the title.
// Runs inside scripts/netns-run.sh (see CMakeLists.txt).
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "NodeScript.hpp"
#include "TempDir.hpp"
#include "hipaa/Json.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

constexpr int kTimeoutS = 150;

TEST(ReferenceClientBrowser, PatientAndClinicianPathsWithNetworkDropAccessibleOnEveryScreen) {
    ASSERT_NE(std::getenv("HIPAA_NETNS"), nullptr) << "run through ctest or scripts/netns-run.sh";
    JanusProcess janus;
    // A class with the patient's date-of-birth check and an idle timeout short enough to see its
    // warning (at 3/4 of it) in a few seconds, long enough to outlast the 5 s network drop.
    std::string cfg = readFile(janus.configFile("janus.plugin.hipaa.room.jcfg"));
    cfg += "\nclass-client: {\n\tdob_check = true\n\tidle_timeout = 20\n}\n";
    // A class whose visits end after 20 s: the time-limit warning shows in its last 5 s.
    cfg += "\nclass-clientshort: {\n\tmax_visit = 20\n}\n";
    // A skew of 2 s: a link that runs out during the network drop ends within the drop.
    const size_t skew = cfg.find("\tskew = 30\n");
    ASSERT_NE(skew, std::string::npos);
    cfg.replace(skew, 11, "\tskew = 2\n");
    janus.writeConfig("janus.plugin.hipaa.room.jcfg", cfg, 0600);
    janus.start();
    const std::string artifacts = std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/e2e-reference-client";
    std::filesystem::remove_all(artifacts);
    NodeScript run("client-e2e.js", {"--janus", janus.httpUrl(), "--admin", janus.adminUrl(), "--conf",
                                     janus.configDir(), "--room-class", "client", "--short-class", "clientshort",
                                     "--artifacts", artifacts, "--timeout", std::to_string(kTimeoutS), "--drop", "5"});
    auto line = run.waitLine("E2E_RESULT ", std::chrono::seconds(kTimeoutS + 40));
    int rc = run.wait(30s);
    std::string log = janus.log();
    ASSERT_TRUE(line) << "no E2E_RESULT line (exit " << rc << "); janus log tail:\n"
                      << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
    JsonPtr r = J(*line);
    std::printf(
        "reference client: run %lld ms (screens: axe + screenshots %lld ms), idle warning after %lld ms, "
        "reconnecting shown %lld ms after the drop, media again %lld ms after the link came back "
        "(%lld ICE restarts answered by the room)\n",
        static_cast<long long>(jsonInt(r.get(), "runtimeMs").value_or(-1)),
        static_cast<long long>(jsonInt(r.get(), "screenMs").value_or(-1)),
        static_cast<long long>(jsonInt(r.get(), "idleWarningAfterMs").value_or(-1)),
        static_cast<long long>(jsonInt(r.get(), "reconnectingShownAfterMs").value_or(-1)),
        static_cast<long long>(jsonInt(r.get(), "recoveredAfterMs").value_or(-1)),
        static_cast<long long>(jsonInt(r.get(), "iceRestarts").value_or(-1)));
    EXPECT_EQ(rc, 0) << *line;
    EXPECT_TRUE(json_is_true(json_object_get(r.get(), "ok"))) << *line;
    // CSP, provider joined, expired link, time-limit warning and end, patient path to waiting, idle
    // warning, admitted with media, documents, recording, note, network drop and recovery, moderator
    // mute, end.
    EXPECT_EQ(json_array_size(json_object_get(r.get(), "steps")), 13u) << *line;
    const json_t* axe = json_object_get(r.get(), "axe");
    EXPECT_GE(json_object_size(axe), 17u) << *line;
    const char* screen;
    const json_t* count;
    json_object_foreach(const_cast<json_t*>(axe), screen, count) EXPECT_EQ(json_integer_value(count), 0) << screen;
    EXPECT_EQ(jsonInt(r.get(), "screenshots").value_or(0), static_cast<int64_t>(2 * json_object_size(axe)));
    for (const char* shot :
         {"patient-link-expired", "patient-privacy", "patient-waiting", "patient-idle-warning", "patient-documents",
          "provider-documents", "patient-reconnecting", "provider-visit", "patient-ended"})
        for (const char* size : {"phone", "desktop"})
            EXPECT_TRUE(std::filesystem::exists(artifacts + "/client-" + shot + "-" + size + ".png")) << shot << size;
    // Nothing the visit carried reached Janus' log.
    for (const char* phi : {"Pat Demo", "1980-02-29", "eyJ"}) EXPECT_EQ(log.find(phi), std::string::npos) << phi;
    EXPECT_EQ(janus.stop(), 0);
}

}  // namespace
