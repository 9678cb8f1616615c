// SPDX-License-Identifier: GPL-3.0-or-later
// The recorder's long Admin API calls (export, delete) against other calls running at the same time,
// what `delete` removes, the export sweeper and the export folder's configuration. RecorderPlugin
// without Janus: real UDP + libsrtp ingest, real files. A long call is held in the middle of its file
// by the store's progress hook, so the tests assert what completes while it is held, not timings.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <thread>

#include "AuditTrailSpy.hpp"
#include "FreePort.hpp"
#include "MidFileGate.hpp"
#include "NullHost.hpp"
#include "RecorderErrors.hpp"
#include "RecorderPlugin.hpp"
#include "SrtpSender.hpp"
#include "TempDir.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"

using namespace hipaa;
using namespace hipaa::recorder;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

std::string textOf(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }

// Releases the gate when a test leaves early, so no call stays held.
struct ReleaseOnExit {
    MidFileGate& gate;
    ~ReleaseOnExit() { gate.release(); }
};

class RecorderAdmin : public ::testing::Test {
protected:
    TempDir dir;
    AuditTrailSpy trail;  // development: the admin secret alone, still recorded
    NullHost host;
    int portMin = 0;
    std::unique_ptr<RecorderPlugin> plugin;
    MidFileGate gate;

    void SetUp() override {
        dir.write("keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
        dir.write("sign.key", hexEncode(secureRandomBytes(32)) + "\n");
        portMin = freeLoopbackPort();
        if (portMin > 65000) portMin = 40000;
        plugin = make(config(dir.file("rec"), dir.file("exp")));
        plugin->store().setProgressHook([this](const std::string& id) { gate(id); });
    }
    // `exportDir` empty: the key is left out (its default).
    std::string config(const std::string& recordingsDir, const std::string& exportDir) const {
        return "general: {\n\tdevelopment = true\n\trecordings_dir = \"" + recordingsDir + "\"\n" +
               (exportDir.empty() ? "" : "\texport_dir = \"" + exportDir + "\"\n") + "\tkeyring = \"" +
               dir.file("keyring") + "\"\n\tsigning_key = \"" + dir.file("sign.key") +
               "\"\n\trtp_port_min = " + std::to_string(portMin) +
               "\n\trtp_port_max = " + std::to_string(portMin + 40) +
               "\n\tchunk_ms = 50\n\tchunk_bytes = 4096\n\tsweep_seconds = 3600\n}\npolicies: {\n\tstandard = "
               "\"30d\"\n}\n";
    }
    std::unique_ptr<RecorderPlugin> make(const std::string& text) {
        std::string file = dir.write("recorder.jcfg", text, 0644);
        return std::make_unique<RecorderPlugin>(Config(JcfgParser::parseFile(file), file), Logger(), host);
    }
    JsonPtr admin(const std::string& text) { return plugin->handleAdmin(jsonParse(text).get()); }
    JsonPtr admin(const std::string& request, const std::string& id, const std::string& extra = "") {
        return admin(R"({"request":")" + request + R"(","recording":")" + id + "\"" + extra + "}");
    }
    int errorOf(const std::string& request, const std::string& id, const std::string& extra = "") {
        try {
            admin(request, id, extra);
        } catch (const Error& e) {
            return e.code();
        }
        return 0;
    }
    // Starts an audio + video recording, sends packets, waits until they arrived, stops it.
    std::string recordSome(size_t audio, size_t video) {
        JsonPtr s =
            admin(R"({"request":"start","streams":[{"kind":"audio","codec":"opus"},{"kind":"video","codec":"vp8"}]})");
        std::string id = textOf(s.get(), "recording");
        Bytes key = *base64Decode(textOf(s.get(), "srtp_crypto"));
        const json_t* streams = json_object_get(s.get(), "streams");
        SrtpSender a(static_cast<int>(*jsonInt(json_array_get(streams, 0), "port")), 80, key, 0x1111, 111);
        SrtpSender v(static_cast<int>(*jsonInt(json_array_get(streams, 1), "port")), 80, key, 0x2222, 96);
        for (size_t i = 0; i < audio; ++i) a.send(Bytes(100, static_cast<uint8_t>(i)), 960);
        for (size_t i = 0; i < video; ++i) v.send(Bytes(900, static_cast<uint8_t>(i)), 3000);
        for (int i = 0; i < 500; ++i) {
            JsonPtr st = admin("status", id);
            const json_t* c = json_object_get(st.get(), "counters");
            if (jsonInt(json_array_get(c, 0), "received").value_or(0) >= static_cast<int64_t>(audio) &&
                jsonInt(json_array_get(c, 1), "received").value_or(0) >= static_cast<int64_t>(video))
                break;
            std::this_thread::sleep_for(10ms);
        }
        admin("stop", id);
        return id;
    }
    static std::vector<std::string> files(const JsonPtr& answer) {
        std::vector<std::string> out;
        size_t i;
        json_t* f;
        json_array_foreach(json_object_get(answer.get(), "files"), i, f) out.emplace_back(json_string_value(f));
        return out;
    }
};

std::string baseName(const std::string& p) { return std::filesystem::path(p).filename().string(); }

}  // namespace

TEST_F(RecorderAdmin, ALongExportHoldsUpNoOtherRecordingsStartStopOrStatus) {
    std::string a = recordSome(40, 20);
    gate.arm(a);
    auto exporting = std::async(std::launch::async, [&] { return admin("export", a); });
    ASSERT_TRUE(gate.waitInside()) << "the export never reached its file";
    ReleaseOnExit guard{gate};
    // A whole other recording, and calls on the exported one that do not change its files, while the
    // export is held in the middle of its file.
    auto others = std::async(std::launch::async, [&] {
        std::string b = recordSome(5, 2);
        EXPECT_EQ(jsonBool(json_object_get(admin("verify", b).get(), "verification"), "ok"), true);
        EXPECT_EQ(textOf(admin("status", a).get(), "status"), "sealed");
        EXPECT_EQ(json_array_size(json_object_get(admin(R"({"request":"list"})").get(), "recordings")), 2u);
        admin("hold", a, R"(,"reason":"case 7")");
        admin("release", a, R"(,"reason":"case 7 closed")");
        return b;
    });
    EXPECT_TRUE(others.wait_for(30s) == std::future_status::ready)
        << "start/stop/status/verify of another recording waited for an export";
    EXPECT_TRUE(exporting.wait_for(0s) != std::future_status::ready) << "the export was still held";
    gate.release();
    JsonPtr e = exporting.get();
    ASSERT_EQ(files(e).size(), 2u);
    std::string b = others.get();
    EXPECT_EQ(textOf(admin("status", b).get(), "status"), "sealed");
}

TEST_F(RecorderAdmin, ALongDeleteHoldsUpNoStartOrStopAndAHoldOfThatRecordingWaitsForIt) {
    std::string a = recordSome(40, 20);
    gate.arm(a);
    auto deleting =
        std::async(std::launch::async, [&] { return admin("delete", a, R"(,"reason":"patient request")"); });
    ASSERT_TRUE(gate.waitInside()) << "the delete never reached its file";
    ReleaseOnExit guard{gate};
    auto holding = std::async(std::launch::async, [&] { return errorOf("hold", a, R"(,"reason":"case 9")"); });
    auto others = std::async(std::launch::async, [&] {
        std::string b = recordSome(5, 2);
        return files(admin("export", b)).size();
    });
    EXPECT_TRUE(others.wait_for(30s) == std::future_status::ready)
        << "start/stop/export of another recording waited for a delete";
    EXPECT_TRUE(holding.wait_for(0s) != std::future_status::ready) << "a hold slipped into the middle of the delete";
    gate.release();
    JsonPtr d = deleting.get();
    EXPECT_EQ(jsonBool(json_object_get(json_object_get(d.get(), "receipt"), "body"), "key_destroyed"), true);
    EXPECT_EQ(holding.get(), recorder::errc::kDeleted);
    EXPECT_EQ(others.get(), 2u);
}

TEST_F(RecorderAdmin, DeleteRemovesTheRecordingsExportsAndListsThemInTheReceipt) {
    std::string a = recordSome(5, 2), b = recordSome(5, 2);
    std::vector<std::string> ofA = files(admin("export", a));
    std::this_thread::sleep_for(5ms);  // export names carry the millisecond
    std::vector<std::string> again = files(admin("export", a));
    ofA.insert(ofA.end(), again.begin(), again.end());
    std::vector<std::string> ofB = files(admin("export", b));
    ASSERT_EQ(ofA.size(), 4u);
    for (const auto& f : ofA) ASSERT_TRUE(std::filesystem::exists(f)) << f;

    JsonPtr d = admin("delete", a, R"(,"reason":"patient request")");
    const json_t* body = json_object_get(json_object_get(d.get(), "receipt"), "body");
    EXPECT_EQ(jsonBool(body, "key_destroyed"), true);
    std::vector<std::string> listed;
    size_t i;
    json_t* x;
    json_array_foreach(json_object_get(body, "exports"), i, x) listed.emplace_back(json_string_value(x));
    std::vector<std::string> expected;
    for (const auto& f : ofA) expected.push_back(baseName(f));
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(listed, expected) << jsonDump(body);
    for (const auto& f : ofA) EXPECT_FALSE(std::filesystem::exists(f)) << "decrypted export left behind: " << f;
    for (const auto& f : ofB) EXPECT_TRUE(std::filesystem::exists(f)) << "another recording's export removed: " << f;
    // The receipt (with its export list) is what `verify` checks afterwards.
    EXPECT_EQ(jsonBool(json_object_get(admin("verify", a).get(), "verification"), "ok"), true);
}

TEST_F(RecorderAdmin, ExportSweeperRemovesOnlyExportsPastTheirTtl) {
    std::string a = recordSome(5, 2);
    JsonPtr e = admin("export", a);
    int64_t expires = *jsonInt(e.get(), "expires_ms");
    std::vector<std::string> theirs = {dir.write("exp/notes.txt", "operator's notes"), dir.write("exp/abc.mjr", "x"),
                                       dir.write("exp/" + a + "-1-0-audio.mjr.bak", "x"),
                                       dir.write("exp/" + a + "-x-0-audio.mjr", "x")};
    std::filesystem::create_directory(dir.file("exp/keep"));
    theirs.push_back(dir.write("exp/keep/" + a + "-1-0-audio.mjr", "x"));
    std::string stray = dir.write("exp/" + std::string(32, 'f') + "-1-0-video.mjr", "an old export of another host");
    timespec old[2] = {{0, 0}, {0, 0}};
    for (const auto& f : theirs) ASSERT_EQ(::utimensat(AT_FDCWD, f.c_str(), old, 0), 0);
    ASSERT_EQ(::utimensat(AT_FDCWD, stray.c_str(), old, 0), 0);

    plugin->sweep(expires + 1000);
    for (const auto& f : files(e)) EXPECT_FALSE(std::filesystem::exists(f)) << f;
    EXPECT_FALSE(std::filesystem::exists(stray));
    for (const auto& f : theirs) EXPECT_TRUE(std::filesystem::exists(f)) << "the sweeper removed " << f;
}

TEST_F(RecorderAdmin, OverlappingExportAndRecordingsFoldersAreRefused) {
    plugin.reset();
    std::string rec = dir.file("r2"), exp = dir.file("x2");
    std::filesystem::create_directory(rec);
    ::chmod(rec.c_str(), 0700);
    std::filesystem::create_directory_symlink(rec, dir.file("link-to-r2"));
    std::filesystem::create_directory_symlink(dir.path(), dir.file("link-to-top"));
    const std::vector<std::pair<std::string, std::string>> overlapping = {
        {rec, rec},                                 // the same folder
        {rec, rec + "/"},                           // the same, spelled differently
        {rec, rec + "/exports"},                    // exports inside the recordings
        {exp + "/recordings", exp},                 // recordings inside the exports
        {rec, dir.file("link-to-r2")},              // the same through a symlink
        {rec, dir.file("link-to-top/r2/exports")},  // inside it through a symlink
        {rec, dir.file("x2/../r2")},                // the same through ".."
    };
    for (const auto& [r, x] : overlapping) {
        try {
            make(config(r, x));
            ADD_FAILURE() << "accepted recordings_dir " << r << " with export_dir " << x;
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("general.export_dir"), std::string::npos) << e.what();
        }
    }
    EXPECT_FALSE(std::filesystem::exists(rec + "/exports")) << "a refused configuration created a folder";
    // Without the key, exports go next to the recordings folder, not inside it.
    std::filesystem::create_directory(dir.file("r3"));
    plugin = make(config(dir.file("r3/recordings"), ""));
    EXPECT_TRUE(std::filesystem::is_directory(dir.file("r3/exports")));
    EXPECT_EQ(plugin->store().exportDir(), dir.file("r3/exports"));
}
