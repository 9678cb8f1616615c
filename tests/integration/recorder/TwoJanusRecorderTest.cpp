// SPDX-License-Identifier: GPL-3.0-or-later
// Two real Janus instances of one clinic: both recorders on the same recordings folder (and export
// folder), the same keyring and signing key, the same PostgreSQL database for their leases. A
// recording made on A is listed, verified and exported on B; B may not delete what A still records;
// with both sweepers running every second each expired recording is deleted exactly once, and a
// hold placed on A keeps B's sweeper away.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <set>
#include <thread>

#include "FreePort.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "RecordingChecks.hpp"
#include "SrtpSender.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"
#include "hipaa/Encoding.hpp"

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";

std::string textOf(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }

std::string setLine(std::string cfg, const std::string& key, const std::string& value) {
    size_t at = cfg.find("\t" + key + " = ");
    if (at == std::string::npos) throw std::runtime_error("no key " + key);
    size_t end = cfg.find('\n', at);
    return cfg.replace(at, end - at, "\t" + key + " = " + value);
}

// The recorder of `janus` on the shared folders, in the cluster as `instance`.
void configure(JanusProcess& janus, const TempDir& shared, const std::string& conninfo, const std::string& instance,
               int port) {
    std::string cfg = readFile(janus.configFile("janus.plugin.hipaa.recorder.jcfg"));
    cfg = setLine(cfg, "recordings_dir", "\"" + shared.file("recordings") + "\"");
    cfg = setLine(cfg, "export_dir", "\"" + shared.file("exports") + "\"");
    cfg = setLine(cfg, "sweep_seconds", "1");
    cfg = setJcfgKey(cfg, "rtp_port_min", port);
    cfg = setJcfgKey(cfg, "rtp_port_max", port + 20);
    cfg = setLine(cfg, "qa", "\"30d\"\n\tbrief = \"1s\"");
    cfg += "cluster: {\n\tconninfo = \"" + conninfo + "\"\n\tinstance_id = \"" + instance + "\"\n}\n";
    janus.writeConfig("janus.plugin.hipaa.recorder.jcfg", cfg);
}

class Recorder {
public:
    explicit Recorder(JanusProcess& janus) : client_(janus) {}
    JsonPtr ask(const std::string& json) { return client_.messagePlugin(kRecorder, J(json).get()); }
    JsonPtr ask(const std::string& request, const std::string& id, const std::string& extra = "") {
        return ask(R"({"request":")" + request + R"(","recording":")" + id + "\"" + extra + "}");
    }
    // Until the sealing instance gave its open lease back (432 meanwhile): it never waits for it.
    JsonPtr askPatiently(const std::string& request, const std::string& id, const std::string& extra = "") {
        for (int i = 0;; ++i) {
            JsonPtr r = ask(request, id, extra);
            if (jsonInt(r.get(), "error_code").value_or(0) != 432 || i > 100) return r;
            std::this_thread::sleep_for(20ms);
        }
    }
    std::string start(const std::string& policy) {
        JsonPtr s =
            ask(R"({"request":"start","policy":")" + policy + R"(","streams":[{"kind":"audio","codec":"opus"}]})");
        last_ = std::move(s);
        return textOf(last_.get(), "recording");
    }
    const JsonPtr& lastStart() const { return last_; }
    std::map<std::string, JsonPtr> list() {
        std::map<std::string, JsonPtr> out;
        JsonPtr l = ask(R"({"request":"list"})");
        size_t i;
        json_t* r;
        json_array_foreach(json_object_get(l.get(), "recordings"), i, r) out[textOf(r, "recording")] = jsonRetain(r);
        return out;
    }

private:
    JanusClient client_;
    JsonPtr last_;
};

}  // namespace

TEST(RecorderTwoJanus, ARecordingOfAIsServedByBAndBothSweepersDeleteEachExpiredRecordingOnce) {
    TestDatabase db;
    const std::string conninfo = db.loginConninfo("janus_recorder_state");
    TempDir shared;
    JanusProcess ja, jb;
    // One keyring and one signing key for the clinic: B verifies A's manifests and opens A's files.
    jb.writeConfig("keys/recorder-keyring", readFile(ja.configFile("keys/recorder-keyring")), 0600);
    jb.writeConfig("keys/recorder-signing.key", readFile(ja.configFile("keys/recorder-signing.key")), 0600);
    int port = freeLoopbackPort();
    if (port > 65000) port = 41000;
    configure(ja, shared, conninfo, "janus-a", port);
    configure(jb, shared, conninfo, "janus-b", port + 30);
    ja.start();
    jb.start();
    Recorder a(ja), b(jb);

    // A records a little audio; B lists, verifies and exports it.
    std::string made = a.start("standard");
    ASSERT_EQ(made.size(), 32u) << jsonDump(a.lastStart().get());
    {
        const json_t* stream = json_array_get(json_object_get(a.lastStart().get(), "streams"), 0);
        Bytes key = *base64Decode(textOf(a.lastStart().get(), "srtp_crypto"));
        SrtpSender tx(static_cast<int>(*jsonInt(stream, "port")), 80, key, 0x1234, 111);
        for (int i = 0; i < 20; ++i) tx.send(Bytes(120, static_cast<uint8_t>(i)), 960);
        for (int i = 0; i < 300; ++i) {
            JsonPtr st = a.ask("status", made);
            if (jsonInt(json_array_get(json_object_get(st.get(), "counters"), 0), "received").value_or(0) >= 20) break;
            std::this_thread::sleep_for(10ms);
        }
    }
    // While A records: B sees it, and may not delete it.
    JsonPtr refused = b.ask("delete", made, R"(,"reason":"case 11")");
    EXPECT_EQ(jsonInt(refused.get(), "error_code"), 430) << jsonDump(refused.get());
    EXPECT_NE(textOf(refused.get(), "error").find("janus-a"), std::string::npos) << jsonDump(refused.get());
    EXPECT_EQ(textOf(b.list()[made].get(), "status"), "recording");
    EXPECT_EQ(textOf(a.ask("stop", made).get(), "status"), "sealed");

    JsonPtr listed = std::move(b.list()[made]);
    ASSERT_TRUE(listed) << "B does not list A's recording";
    EXPECT_EQ(textOf(listed.get(), "status"), "sealed");
    EXPECT_EQ(textOf(listed.get(), "instance"), "janus-a");
    JsonPtr verified = b.ask("verify", made);
    EXPECT_EQ(jsonBool(json_object_get(verified.get(), "verification"), "ok"), true) << jsonDump(verified.get());
    JsonPtr exported = b.askPatiently("export", made);
    const json_t* files = json_object_get(exported.get(), "files");
    ASSERT_EQ(json_array_size(files), 1u) << jsonDump(exported.get());
    std::string mjr = json_string_value(json_array_get(files, 0));
    EXPECT_EQ(std::count(mjr.begin(), mjr.end(), '/') > 0 && mjr.rfind(shared.path(), 0) == 0, true) << mjr;
    EXPECT_EQ(mjrPayloads(mjr).size(), 20u);

    // Retention on the shared folder, both sweepers running every second.
    std::set<std::string> brief;
    for (Recorder* r : {&a, &b, &a, &b}) {
        std::string id = r->start("brief");
        ASSERT_EQ(textOf(r->ask("stop", id).get(), "status"), "sealed");
        brief.insert(id);
    }
    std::string held = a.start("brief");
    a.ask("stop", held);
    JsonPtr hold = a.askPatiently("hold", held, R"(,"reason":"case 12")");
    ASSERT_EQ(jsonInt(hold.get(), "error_code"), std::nullopt) << jsonDump(hold.get());
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
        auto all = b.list();
        size_t gone = 0;
        for (const auto& id : brief) gone += textOf(all[id].get(), "status") == "deleted";
        if (gone == brief.size() || std::chrono::steady_clock::now() > deadline) break;
        std::this_thread::sleep_for(100ms);
    }
    std::this_thread::sleep_for(2500ms);  // two more sweeps of each: nothing is deleted twice
    int64_t deletedA = jsonInt(a.ask(R"({"request":"info"})").get(), "retention_deleted").value_or(-1);
    int64_t deletedB = jsonInt(b.ask(R"({"request":"info"})").get(), "retention_deleted").value_or(-1);
    std::printf("retention deletions: A %lld, B %lld\n", static_cast<long long>(deletedA),
                static_cast<long long>(deletedB));
    EXPECT_EQ(deletedA + deletedB, static_cast<int64_t>(brief.size())) << "each expired recording deleted once";
    for (const auto& id : brief) {
        JsonPtr v = a.ask("verify", id);
        const json_t* ver = json_object_get(v.get(), "verification");
        EXPECT_EQ(textOf(ver, "status"), "deleted") << jsonDump(v.get());
        EXPECT_EQ(jsonBool(ver, "receipt_valid"), true) << jsonDump(v.get());
    }
    EXPECT_EQ(textOf(b.list()[held].get(), "status"), "sealed") << "B swept a recording held on A";
    EXPECT_EQ(textOf(b.list()[made].get(), "status"), "sealed");
}
