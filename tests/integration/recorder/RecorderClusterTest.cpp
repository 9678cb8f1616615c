// SPDX-License-Identifier: GPL-3.0-or-later
// Two (or three) recorders in one process on one recordings folder and one PostgreSQL database, as
// two Janus instances of a clinic with a shared mount: RecorderPlugin without Janus, real UDP + libsrtp
// ingest, real files, real leases (logged in as a member of janus_recorder_state). A sweep is held in
// the middle of a file by the store's progress hook, so the races are exact, not timed.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <thread>

#include "AuditTrailSpy.hpp"
#include "FreePort.hpp"
#include "MidFileGate.hpp"
#include "NullHost.hpp"
#include "RecorderErrors.hpp"
#include "RecorderPlugin.hpp"
#include "SrtpSender.hpp"
#include "SuiteDatabase.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"

using namespace hipaa;
using namespace hipaa::recorder;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

std::string str(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }
constexpr int64_t kLater = 86'400'000;  // a sweep "a day later": every `brief` recording expired

class RecorderCluster : public ::testing::Test {
protected:
    static void SetUpTestSuite() { suite_.open("janus_recorder_state"); }
    static void TearDownTestSuite() { suite_.close(); }
    TempDir dir;
    AuditTrailSpy trail;  // development: the admin secret alone, still recorded
    NullHost host;
    std::unique_ptr<RecorderPlugin> a, b;

    void SetUp() override {
        dir.write("keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
        dir.write("sign.key", hexEncode(secureRandomBytes(32)) + "\n");
        a = make("janus-a", suite_.login());
        b = make("janus-b", suite_.login());
    }
    // Same folders, keyring, signing key and policies; its own instance id and RTP ports.
    std::unique_ptr<RecorderPlugin> make(const std::string& instance, const std::string& conninfo) {
        int port = freeLoopbackPort();
        if (port > 65000) port = 40000;
        std::string text = "general: {\n\tdevelopment = true\n\trecordings_dir = \"" + dir.file("rec") +
                           "\"\n\texport_dir = \"" + dir.file("exp") + "\"\n\tkeyring = \"" + dir.file("keyring") +
                           "\"\n\tsigning_key = \"" + dir.file("sign.key") +
                           "\"\n\trtp_port_min = " + std::to_string(port) +
                           "\n\trtp_port_max = " + std::to_string(port + 20) +
                           "\n\tchunk_ms = 50\n\tsweep_seconds = 3600\n\tdefault_policy = \"brief\"\n}\n"
                           "policies: {\n\tbrief = \"1s\"\n}\ncluster: {\n\tconninfo = \"" +
                           conninfo + "\"\n\tinstance_id = \"" + instance + "\"\n}\n";
        std::string file = dir.write(instance + ".jcfg", text, 0644);
        return std::make_unique<RecorderPlugin>(Config(JcfgParser::parseFile(file), file), Logger(), host);
    }
    static JsonPtr admin(RecorderPlugin& p, const std::string& request, const std::string& id,
                         const std::string& extra = "") {
        return p.handleAdmin(
            jsonParse(R"({"request":")" + request + R"(","recording":")" + id + "\"" + extra + "}").get());
    }
    // The error code and message of a refused request (0 when it succeeded).
    static std::pair<int, std::string> refusal(RecorderPlugin& p, const std::string& request, const std::string& id,
                                               const std::string& extra = "") {
        try {
            admin(p, request, id, extra);
        } catch (const Error& e) {
            return {e.code(), e.what()};
        }
        return {0, ""};
    }
    // Starts an audio recording on `p` and sends `packets` SRTP packets; stops it unless `keepOpen`.
    std::string record(RecorderPlugin& p, size_t packets, bool keepOpen = false) {
        JsonPtr s =
            p.handleAdmin(jsonParse(R"({"request":"start","streams":[{"kind":"audio","codec":"opus"}]})").get());
        std::string id = str(s.get(), "recording");
        Bytes key = *base64Decode(str(s.get(), "srtp_crypto"));
        SrtpSender tx(static_cast<int>(*jsonInt(json_array_get(json_object_get(s.get(), "streams"), 0), "port")), 80,
                      key, 0x1111, 111);
        for (size_t i = 0; i < packets; ++i) tx.send(Bytes(100, static_cast<uint8_t>(i)), 960);
        for (int i = 0; i < 500; ++i) {
            JsonPtr st = admin(p, "status", id);
            if (jsonInt(json_array_get(json_object_get(st.get(), "counters"), 0), "received").value_or(0) >=
                static_cast<int64_t>(packets))
                break;
            std::this_thread::sleep_for(10ms);
        }
        if (!keepOpen) admin(p, "stop", id);
        return id;
    }
    // Until `p`'s lease thread gave back the open leases of what it sealed (stop never waits for it).
    static void settle(RecorderPlugin& p) {
        for (int i = 0; i < 500; ++i) {
            JsonPtr info = p.handleAdmin(jsonParse(R"({"request":"info"})").get());
            if (jsonInt(info.get(), "leases_held").value_or(-1) == 0) return;
            std::this_thread::sleep_for(10ms);
        }
        FAIL() << "open leases never given back";
    }
    // Until the sealing instance's keeper gave the open lease back (it never waits for it).
    static JsonPtr retryBusy(RecorderPlugin& p, const std::string& request, const std::string& id,
                             const std::string& extra = "") {
        for (int i = 0;; ++i) {
            try {
                return admin(p, request, id, extra);
            } catch (const Error& e) {
                if (e.code() != recorder::errc::kBusyElsewhere || i > 100) throw;
            }
            std::this_thread::sleep_for(20ms);
        }
    }
    static inline SuiteDatabase suite_;
};

}  // namespace

TEST_F(RecorderCluster, ARecordingOpenOnOneInstanceIsListedByTheOtherButNotChangedNorEndedByItsRestart) {
    std::string id = record(*a, 10, true);
    JsonPtr listed = b->handleAdmin(jsonParse(R"({"request":"list"})").get());
    ASSERT_EQ(json_array_size(json_object_get(listed.get(), "recordings")), 1u) << jsonDump(listed.get());
    const json_t* r = json_array_get(json_object_get(listed.get(), "recordings"), 0);
    EXPECT_EQ(str(r, "recording"), id);
    EXPECT_EQ(str(r, "status"), "recording");
    EXPECT_EQ(str(r, "instance"), "janus-a");
    for (const char* request : {"delete", "export", "verify", "stop", "hold", "release", "rewrap"}) {
        auto [code, message] = refusal(*b, request, id, R"(,"reason":"case 9")");
        EXPECT_EQ(code, recorder::errc::kOpenElsewhere) << request << ": " << message;
        EXPECT_NE(message.find("janus-a"), std::string::npos) << request << ": " << message;
    }
    // The other instance restarting is no crash of this recording.
    b.reset();
    b = make("janus-b", suite_.login());
    EXPECT_EQ(str(admin(*b, "status", id).get(), "status"), "recording");
    EXPECT_EQ(str(admin(*a, "stop", id).get(), "status"), "sealed");
    JsonPtr v = admin(*b, "verify", id);
    EXPECT_EQ(jsonBool(json_object_get(v.get(), "verification"), "ok"), true) << jsonDump(v.get());
    JsonPtr x = retryBusy(*b, "export", id);
    EXPECT_EQ(json_array_size(json_object_get(x.get(), "files")), 1u) << jsonDump(x.get());
    JsonPtr d = retryBusy(*b, "delete", id, R"(,"reason":"case 9")");
    EXPECT_EQ(str(admin(*a, "status", id).get(), "status"), "deleted");
    EXPECT_EQ(refusal(*a, "delete", id, R"(,"reason":"again")").first, recorder::errc::kDeleted);
}

TEST_F(RecorderCluster, ASweepHeldMidFileOnOneInstanceIsNeitherRepeatedByTheOthersSweepNorRacedByADelete) {
    std::string id = record(*a, 30);
    settle(*a);
    MidFileGate gate;
    gate.arm(id);
    a->store().setProgressHook([&](const std::string& rec) { gate(rec); });
    const int64_t later = Clock::wallMs() + kLater;
    auto sweeping = std::async(std::launch::async, [&] { return a->sweep(later); });
    ASSERT_TRUE(gate.waitInside()) << "a's sweep never reached the file";
    EXPECT_EQ(b->sweep(later), 0) << "b swept a recording a is deleting";
    auto [code, message] = refusal(*b, "delete", id, R"(,"reason":"case 1")");
    EXPECT_EQ(code, recorder::errc::kBusyElsewhere) << message;
    EXPECT_NE(message.find("janus-a"), std::string::npos) << message;
    gate.release();
    EXPECT_EQ(sweeping.get(), 1);
    EXPECT_EQ(b->sweep(later), 0) << "deleted once";
    EXPECT_EQ(a->sweep(later), 0);
    JsonPtr v = admin(*b, "verify", id);
    const json_t* ver = json_object_get(v.get(), "verification");
    EXPECT_EQ(jsonBool(ver, "receipt_valid"), true) << jsonDump(v.get());
    EXPECT_EQ(jsonBool(ver, "key_destroyed"), true);
    JsonPtr infoA = a->handleAdmin(jsonParse(R"({"request":"info"})").get());
    JsonPtr infoB = b->handleAdmin(jsonParse(R"({"request":"info"})").get());
    EXPECT_EQ(jsonInt(infoA.get(), "retention_deleted"), 1);
    EXPECT_EQ(jsonInt(infoB.get(), "retention_deleted"), 0);
}

TEST_F(RecorderCluster, AHoldPlacedOnOneInstanceStopsTheOthersSweepAndDelete) {
    std::string id = record(*a, 5);
    retryBusy(*a, "hold", id, R"(,"reason":"case 4")");
    const int64_t later = Clock::wallMs() + kLater;
    EXPECT_EQ(b->sweep(later), 0);
    EXPECT_EQ(refusal(*b, "delete", id, R"(,"reason":"case 4")").first, recorder::errc::kOnHold);
    EXPECT_EQ(jsonBool(admin(*b, "status", id).get(), "hold"), true);
    admin(*b, "release", id, R"(,"reason":"case 4 closed")");
    EXPECT_EQ(jsonBool(admin(*a, "status", id).get(), "hold"), false);
    settle(*a);
    EXPECT_EQ(a->sweep(later), 1);
    EXPECT_EQ(str(admin(*b, "status", id).get(), "status"), "deleted");
}

TEST_F(RecorderCluster, WithoutTheClusterStoreNothingIsDeletedButVisitsAreStillRecorded) {
    std::string id = record(*a, 5);
    auto c = make("janus-c", "host=127.0.0.1 port=1 dbname=hipaa connect_timeout=1");
    const int64_t later = Clock::wallMs() + kLater;
    EXPECT_EQ(c->sweep(later), 0);
    EXPECT_EQ(refusal(*c, "delete", id, R"(,"reason":"case 5")").first, recorder::errc::kClusterUnavailable);
    EXPECT_EQ(refusal(*c, "hold", id, R"(,"reason":"case 5")").first, recorder::errc::kClusterUnavailable);
    EXPECT_EQ(str(admin(*c, "status", id).get(), "status"), "sealed");
    std::string own = record(*c, 5);
    EXPECT_EQ(str(admin(*c, "status", own).get(), "status"), "sealed");
    settle(*a);
    JsonPtr info = c->handleAdmin(jsonParse(R"({"request":"info"})").get());
    EXPECT_EQ(jsonBool(info.get(), "cluster_reachable"), false);
    EXPECT_EQ(str(info.get(), "instance_id"), "janus-c");
    // Back to a store that answers: the other instance sweeps both.
    EXPECT_EQ(a->sweep(later), 2);
}
