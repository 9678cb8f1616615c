// SPDX-License-Identifier: GPL-3.0-or-later
// RecorderPlugin without Janus: real UDP + libsrtp ingest, real files, a fake MediaHost for events.
#include "AuditTrailSpy.hpp"
#include "ByteOrder.hpp"
#include "FileSizeLimit.hpp"
#include "FreePort.hpp"
#include "RecorderErrors.hpp"
#include "RecorderPlugin.hpp"
#include "Shell.hpp"
#include "SrtpSender.hpp"
#include "TempDir.hpp"
#include "hipaa/ChatRecord.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace hipaa;
using namespace hipaa::recorder;
using namespace hipaa::test;

namespace {

class FakeHost : public MediaHost {
public:
    bool pushEvent(SessionId, const std::string&, const json_t*, const json_t*) override { return true; }
    void notifyEvent(SessionId, const json_t* event) override {
        std::lock_guard lock(m);
        events.push_back(jsonAdopt(json_deep_copy(event)));
    }
    bool eventsEnabled() const override { return true; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}
    std::vector<std::string> names() {
        std::lock_guard lock(m);
        std::vector<std::string> out;
        for (const auto& e : events) out.emplace_back(jsonString(e.get(), "event").value_or(""));
        return out;
    }
    std::string dumpAll() {
        std::lock_guard lock(m);
        std::string out;
        for (const auto& e : events) out += jsonDump(e.get()) + "\n";
        return out;
    }
    std::mutex m;
    std::vector<JsonPtr> events;
};

JsonPtr J(const std::string& s) { return jsonParse(s); }

std::string str(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }

Bytes payload(uint8_t tag, size_t i, size_t n = 120) {
    Bytes p(n);
    for (size_t k = 0; k < n; ++k) p[k] = static_cast<uint8_t>(tag ^ (k * 7 + i * 13));
    p[0] = 0xFE;  // distinctive marker bytes, searched for on disk
    p[1] = 0xED;
    p[2] = tag;
    p[3] = static_cast<uint8_t>(i);
    return p;
}

struct MjrFile {
    JsonPtr info;
    std::vector<Bytes> packets;
};

MjrFile parseMjr(const std::string& path) {
    Bytes b = readWholeFile(path);
    MjrFile f;
    EXPECT_GE(b.size(), 10u);
    EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "MJR00002");
    size_t len = getU16(b.data() + 8);
    f.info = jsonParse(std::string(b.begin() + 10, b.begin() + 10 + static_cast<long>(len)));
    size_t off = 10 + len;
    while (off + 10 <= b.size()) {
        EXPECT_EQ(std::string(b.begin() + static_cast<long>(off), b.begin() + static_cast<long>(off) + 4), "MEET");
        size_t plen = getU16(b.data() + off + 8);
        f.packets.emplace_back(b.begin() + static_cast<long>(off) + 10, b.begin() + static_cast<long>(off + 10 + plen));
        off += 10 + plen;
    }
    EXPECT_EQ(off, b.size());
    return f;
}

class RecorderPluginTest : public ::testing::Test {
protected:
    TempDir dir;
    AuditTrailSpy trail;  // development: the admin secret alone, still recorded
    FakeHost host;
    int portMin = 0;
    std::unique_ptr<RecorderPlugin> plugin;

    void SetUp() override {
        dir.write("keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
        dir.write("sign.key", hexEncode(secureRandomBytes(32)) + "\n");
        portMin = freeLoopbackPort();
        if (portMin > 65000) portMin = 40000;
        writeConfig("");
        plugin = makePlugin();
    }
    void writeConfig(const std::string& extraGeneral,
                     const std::string& policies = "standard = \"30d\"\n\tshort = \"10s\"") {
        dir.write("recorder.jcfg",
                  "general: {\n\tdevelopment = true\n\trecordings_dir = \"" + dir.file("rec") +
                      "\"\n\texport_dir = \"" + dir.file("exp") + "\"\n\tkeyring = \"" + dir.file("keyring") +
                      "\"\n\tsigning_key = \"" + dir.file("sign.key") + "\"\n\trtp_port_min = " +
                      std::to_string(portMin) + "\n\trtp_port_max = " + std::to_string(portMin + 40) +
                      "\n\tchunk_ms = 50\n\tchunk_bytes = 4096\n\tsweep_seconds = 3600\n" + extraGeneral +
                      "}\npolicies: {\n\t" + policies + "\n}\n",
                  0644);
    }
    std::unique_ptr<RecorderPlugin> makePlugin() {
        std::string file = dir.file("recorder.jcfg");
        return std::make_unique<RecorderPlugin>(Config(JcfgParser::parseFile(file), file), Logger(), host);
    }
    JsonPtr admin(const std::string& text) { return plugin->handleAdmin(J(text).get()); }
    int errorOf(const std::string& text) {
        try {
            admin(text);
        } catch (const Error& e) {
            return e.code();
        }
        return 0;
    }
    JsonPtr startAv(const std::string& extra = "") {
        return admin(R"({"request":"start","streams":[{"kind":"audio","codec":"opus","mid":"0"},)"
                     R"({"kind":"video","codec":"vp8","mid":"1"}])" +
                     extra + "}");
    }
    // Waits until the recorder counted `n` received packets on every stream.
    void waitReceived(const std::string& id, std::vector<uint64_t> n) {
        for (int i = 0; i < 200; ++i) {
            JsonPtr s = admin(R"({"request":"status","recording":")" + id + "\"}");
            const json_t* c = json_object_get(s.get(), "counters");
            bool all = json_array_size(c) == n.size();
            for (size_t k = 0; all && k < n.size(); ++k)
                all = static_cast<uint64_t>(jsonInt(json_array_get(c, k), "received").value_or(0)) >= n[k];
            if (all) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        FAIL() << "packets did not arrive";
    }
    // Starts an A/V recording, sends packets, stops it; returns the id.
    std::string recordSome(size_t audio = 20, size_t video = 10) {
        JsonPtr s = startAv();
        std::string id = str(s.get(), "recording");
        Bytes key = *base64Decode(str(s.get(), "srtp_crypto"));
        const json_t* streams = json_object_get(s.get(), "streams");
        SrtpSender a(static_cast<int>(*jsonInt(json_array_get(streams, 0), "port")), 80, key, 0x1111, 111);
        SrtpSender v(static_cast<int>(*jsonInt(json_array_get(streams, 1), "port")), 80, key, 0x2222, 96);
        for (size_t i = 0; i < audio; ++i) a.send(payload(0xA0, i), 960);
        for (size_t i = 0; i < video; ++i) v.send(payload(0xB0, i, 900), 3000);
        waitReceived(id, {audio, video});
        admin(R"({"request":"stop","recording":")" + id + "\"}");
        return id;
    }
    std::string recFile(const std::string& id, int n) {
        return dir.file("rec/" + id + "-" + std::to_string(n) + ".jrec");
    }
};

}  // namespace

TEST_F(RecorderPluginTest, RecordsSrtpForwardsDropsForgeriesAndExportsMjr) {
    JsonPtr s = startAv();
    std::string id = str(s.get(), "recording");
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(str(s.get(), "host"), "127.0.0.1");
    EXPECT_EQ(jsonInt(s.get(), "srtp_suite"), 80);
    Bytes key = *base64Decode(str(s.get(), "srtp_crypto"));
    ASSERT_EQ(key.size(), 30u);  // what VideoRoom's rtp_forward expects
    const json_t* streams = json_object_get(s.get(), "streams");
    ASSERT_EQ(json_array_size(streams), 2u);
    int aport = static_cast<int>(*jsonInt(json_array_get(streams, 0), "port"));
    int vport = static_cast<int>(*jsonInt(json_array_get(streams, 1), "port"));
    EXPECT_NE(aport, vport);
    EXPECT_GE(aport, portMin);
    EXPECT_LE(vport, portMin + 40);

    SrtpSender audio(aport, 80, key, 0x1111, 111), video(vport, 80, key, 0x2222, 96);
    Bytes otherKey = secureRandomBytes(30);
    SrtpSender forger(aport, 80, otherKey, 0x1111, 111);
    std::vector<Bytes> sentAudio, sentVideo;
    for (size_t i = 0; i < 50; ++i) {
        sentAudio.push_back(audio.send(payload(0xA0, i), 960));
        if (i % 5 == 0) sentVideo.push_back(video.send(payload(0xB0, i, 1000), 3000));
        if (i % 20 == 0) forger.send(payload(0xC0, i), 960);  // wrong key: must be dropped
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    Bytes plainRtp = payload(0xD0, 1);
    plainRtp[0] = 0x80;
    plainRtp[8] = plainRtp[9] = 0, plainRtp[10] = 0x11, plainRtp[11] = 0x11;  // the stream's own SSRC
    audio.sendRaw(plainRtp);                                                  // unprotected RTP: dropped too
    waitReceived(id, {54, 10});
    JsonPtr stopped = admin(R"({"request":"stop","recording":")" + id + "\"}");
    const json_t* files = json_object_get(stopped.get(), "files");
    ASSERT_EQ(json_array_size(files), 2u);
    EXPECT_EQ(jsonInt(json_array_get(files, 0), "packets"), 50);
    EXPECT_EQ(jsonInt(json_array_get(files, 0), "srtp_failed"), 4);
    EXPECT_EQ(jsonInt(json_array_get(files, 1), "packets"), 10);

    // At rest: no payload bytes, no RTP header in clear, private file modes.
    for (int n : {0, 1}) {
        Bytes f = readWholeFile(recFile(id, n));
        for (const Bytes& p : n == 0 ? sentAudio : sentVideo)
            EXPECT_EQ(std::search(f.begin(), f.end(), p.begin() + 12, p.begin() + 20), f.end());
        struct stat st {};
        ASSERT_EQ(::stat(recFile(id, n).c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
    }

    JsonPtr v = admin(R"({"request":"verify","recording":")" + id + "\"}");
    const json_t* rep = json_object_get(v.get(), "verification");
    EXPECT_EQ(jsonBool(rep, "ok"), true) << jsonDump(v.get());
    EXPECT_EQ(jsonBool(rep, "manifest_valid"), true);

    JsonPtr e = admin(R"({"request":"export","recording":")" + id + "\"}");
    const json_t* out = json_object_get(e.get(), "files");
    ASSERT_EQ(json_array_size(out), 2u);
    MjrFile ma = parseMjr(json_string_value(json_array_get(out, 0)));
    MjrFile mv = parseMjr(json_string_value(json_array_get(out, 1)));
    EXPECT_EQ(str(ma.info.get(), "t"), "a");
    EXPECT_EQ(str(ma.info.get(), "c"), "opus");
    EXPECT_EQ(str(mv.info.get(), "t"), "v");
    EXPECT_EQ(str(mv.info.get(), "c"), "vp8");
    EXPECT_EQ(ma.packets, sentAudio);  // decrypted RTP, byte for byte, in order
    EXPECT_EQ(mv.packets, sentVideo);
    struct stat st {};
    ASSERT_EQ(::stat(json_string_value(json_array_get(out, 0)), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto names = host.names();
    for (const char* ev : {"started", "stopped", "verified", "exported"})
        EXPECT_NE(std::find(names.begin(), names.end(), ev), names.end()) << ev;
    EXPECT_EQ(host.dumpAll().find(str(s.get(), "srtp_crypto")), std::string::npos);  // keys never in events
}

TEST_F(RecorderPluginTest, HoldBlocksDeletionAndDeletionLeavesAVerifiableReceipt) {
    std::string id = recordSome();
    std::string rid = R"("recording":")" + id + "\"";
    admin(R"({"request":"hold",)" + rid + R"(,"reason":"litigation L-17"})");
    EXPECT_EQ(errorOf(R"({"request":"delete",)" + rid + R"(,"reason":"patient request"})"), recorder::errc::kOnHold);
    EXPECT_EQ(plugin->sweep(INT64_MAX / 2), 0);  // expired long ago, but held
    EXPECT_TRUE(std::filesystem::exists(recFile(id, 0)));
    EXPECT_EQ(errorOf(R"({"request":"release",)" + rid + "}"), recorder::errc::kMissingField);  // a reason is required
    admin(R"({"request":"release",)" + rid + R"(,"reason":"case closed"})");
    JsonPtr d = admin(R"({"request":"delete",)" + rid + R"(,"reason":"patient request"})");
    const json_t* receipt = json_object_get(d.get(), "receipt");
    const json_t* body = json_object_get(receipt, "body");
    EXPECT_EQ(str(body, "recording"), id);
    EXPECT_EQ(str(body, "policy"), "standard");
    EXPECT_EQ(jsonBool(body, "key_destroyed"), true);
    EXPECT_EQ(json_array_size(json_object_get(body, "files")), 2u);
    EXPECT_EQ(str(json_array_get(json_object_get(body, "files"), 0), "sha256").size(), 64u);
    EXPECT_FALSE(std::filesystem::exists(recFile(id, 0)));
    EXPECT_FALSE(std::filesystem::exists(recFile(id, 1)));

    JsonPtr v = admin(R"({"request":"verify",)" + rid + "}");
    const json_t* rep = json_object_get(v.get(), "verification");
    EXPECT_EQ(str(rep, "status"), "deleted");
    EXPECT_EQ(jsonBool(rep, "receipt_valid"), true);
    EXPECT_EQ(jsonBool(rep, "key_destroyed"), true);
    EXPECT_EQ(jsonBool(rep, "ok"), true);
    EXPECT_EQ(errorOf(R"({"request":"delete",)" + rid + R"(,"reason":"again"})"), recorder::errc::kDeleted);
    EXPECT_EQ(errorOf(R"({"request":"export",)" + rid + "}"), recorder::errc::kDeleted);

    // A forged receipt no longer verifies.
    std::string rpath = dir.file("rec/" + id + ".receipt.json");
    std::string text = readFile(rpath);
    text.replace(text.find("\"standard\""), 10, "\"qa______\"");
    dir.write("rec/" + id + ".receipt.json", text);
    v = admin(R"({"request":"verify",)" + rid + "}");
    EXPECT_EQ(jsonBool(json_object_get(v.get(), "verification"), "ok"), false);

    // Events: hold, released, deleted with the signed receipt; never the reason's text.
    auto names = host.names();
    for (const char* ev : {"hold", "released", "deleted"})
        EXPECT_NE(std::find(names.begin(), names.end(), ev), names.end()) << ev;
    std::string all = host.dumpAll();
    EXPECT_EQ(all.find("litigation"), std::string::npos);
    EXPECT_EQ(all.find("patient request"), std::string::npos);
}

TEST_F(RecorderPluginTest, RetentionSweeperDeletesExactlyAtExpiry) {
    JsonPtr s = admin(R"({"request":"start","policy":"short","streams":[{"kind":"audio","codec":"opus"}]})");
    std::string id = str(s.get(), "recording");
    std::string kept = recordSome();  // policy "standard" (30 days)
    admin(R"({"request":"stop","recording":")" + id + "\"}");
    JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
    int64_t ended = *jsonInt(st.get(), "ended_ms"), expires = *jsonInt(st.get(), "expires_ms");
    EXPECT_EQ(expires - ended, 10'000);
    EXPECT_EQ(plugin->sweep(expires - 1), 0);  // one millisecond early: kept
    EXPECT_TRUE(std::filesystem::exists(recFile(id, 0)));
    EXPECT_EQ(plugin->sweep(expires), 1);  // due at the exact millisecond
    EXPECT_FALSE(std::filesystem::exists(recFile(id, 0)));
    EXPECT_TRUE(std::filesystem::exists(recFile(kept, 0)));
    st = admin(R"({"request":"status","recording":")" + id + "\"}");
    EXPECT_EQ(str(st.get(), "status"), "deleted");
    EXPECT_EQ(plugin->sweep(expires + 1), 0);  // never twice
    // A running recording is never swept, whatever the clock says.
    JsonPtr r = admin(R"({"request":"start","policy":"short","streams":[{"kind":"audio","codec":"opus"}]})");
    EXPECT_EQ(plugin->sweep(INT64_MAX / 4), 1);  // only `kept`
    EXPECT_EQ(str(admin(R"({"request":"status","recording":")" + str(r.get(), "recording") + "\"}").get(), "status"),
              "recording");
}

TEST_F(RecorderPluginTest, ExportsAreRemovedAfterTheirTtl) {
    std::string id = recordSome(5, 2);
    JsonPtr e = admin(R"({"request":"export","recording":")" + id + "\"}");
    std::string f = json_string_value(json_array_get(json_object_get(e.get(), "files"), 0));
    int64_t expires = *jsonInt(e.get(), "expires_ms");
    plugin->sweep(expires - 5000);
    EXPECT_TRUE(std::filesystem::exists(f));
    plugin->sweep(expires + 1000);
    EXPECT_FALSE(std::filesystem::exists(f));
}

TEST_F(RecorderPluginTest, VerifyReportsTamperedFilesAndManifests) {
    std::string id = recordSome();
    std::string rid = R"("recording":")" + id + "\"";
    Bytes f = readWholeFile(recFile(id, 1));
    f[f.size() / 2] ^= 0x10;
    std::ofstream(recFile(id, 1), std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(f.data()), static_cast<long>(f.size()));
    JsonPtr v = admin(R"({"request":"verify",)" + rid + "}");
    const json_t* rep = json_object_get(v.get(), "verification");
    EXPECT_EQ(jsonBool(rep, "ok"), false);
    const json_t* f1 = json_array_get(json_object_get(rep, "files"), 1);
    EXPECT_EQ(jsonBool(f1, "sha256_matches_manifest"), false);
    EXPECT_EQ(jsonBool(f1, "complete"), false);
    EXPECT_EQ(errorOf(R"({"request":"export",)" + rid + "}"), recorder::errc::kDamaged);

    std::string m = readFile(dir.file("rec/" + id + ".manifest.json"));
    m.replace(m.find("\"chunks\": "), 10, "\"chunkz\": ");
    dir.write("rec/" + id + ".manifest.json", m);
    v = admin(R"({"request":"verify",)" + rid + "}");
    EXPECT_EQ(jsonBool(json_object_get(v.get(), "verification"), "manifest_valid"), false);
}

// The retention policies are part of the effective config: `info` shows them (the evidence report
// reads them there) and a changed retention changes the digest config.loaded records.
TEST_F(RecorderPluginTest, InfoShowsTheRetentionPoliciesInTheEffectiveConfig) {
    JsonPtr info = admin(R"({"request":"info"})");
    const json_t* policies = json_object_get(json_object_get(info.get(), "config"), "policies");
    EXPECT_EQ(jsonString(policies, "standard").value_or(""), "30d") << jsonDump(info.get());
    EXPECT_EQ(jsonString(policies, "short").value_or(""), "10s");
}

TEST_F(RecorderPluginTest, RewrapMovesRecordingsToTheNewestKey) {
    std::string id = recordSome();
    plugin.reset();
    std::string v1 = readFile(dir.file("keyring"));
    std::string v2 = "2 kek " + hexEncode(secureRandomBytes(32)) + "\n";
    dir.write("keyring", v1 + v2);
    plugin = makePlugin();
    EXPECT_EQ(jsonInt(admin(R"({"request":"info"})").get(), "key_version"), 2);
    JsonPtr r = admin(R"({"request":"rewrap","recording":")" + id + "\"}");
    EXPECT_EQ(jsonInt(r.get(), "key_version"), 2);
    plugin.reset();
    dir.write("keyring", v2);  // version 1 retired
    plugin = makePlugin();
    JsonPtr v = admin(R"({"request":"verify","recording":")" + id + "\"}");
    EXPECT_EQ(jsonBool(json_object_get(v.get(), "verification"), "ok"), true) << jsonDump(v.get());
    EXPECT_EQ(
        json_array_size(json_object_get(admin(R"({"request":"export","recording":")" + id + "\"}").get(), "files")),
        2u);
}

TEST_F(RecorderPluginTest, KillNineMidRecordingLeavesAnInterruptedButVerifiablePrefix) {
    plugin.reset();
    int pipefd[2];
    ASSERT_EQ(::pipe(pipefd), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // A fresh recorder in the child: record, let chunks seal, then die without any cleanup.
        plugin = makePlugin();
        JsonPtr s = admin(R"({"request":"start","streams":[{"kind":"audio","codec":"opus"}]})");
        std::string id = str(s.get(), "recording");
        SrtpSender a(static_cast<int>(*jsonInt(json_array_get(json_object_get(s.get(), "streams"), 0), "port")), 80,
                     *base64Decode(str(s.get(), "srtp_crypto")), 0x42, 111);
        for (size_t i = 0; i < 30; ++i) a.send(payload(0xA0, i), 960);
        std::this_thread::sleep_for(std::chrono::milliseconds(400));     // > chunk_ms: sealed
        for (size_t i = 30; i < 35; ++i) a.send(payload(0xA0, i), 960);  // maybe buffered, maybe not
        [[maybe_unused]] ssize_t n = ::write(pipefd[1], id.data(), id.size());
        ::kill(::getpid(), SIGKILL);
        ::_exit(1);
    }
    ::close(pipefd[1]);
    char buf[33] = {};
    ASSERT_EQ(::read(pipefd[0], buf, 32), 32);
    ::close(pipefd[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    std::string id(buf, 32);

    plugin = makePlugin();
    JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
    EXPECT_EQ(str(st.get(), "status"), "interrupted");
    JsonPtr v = admin(R"({"request":"verify","recording":")" + id + "\"}");
    const json_t* rep = json_object_get(v.get(), "verification");
    EXPECT_EQ(jsonBool(rep, "ok"), false);  // never silently accepted
    const json_t* f0 = json_array_get(json_object_get(rep, "files"), 0);
    EXPECT_NE(str(f0, "damage").find("final chunk missing"), std::string::npos) << jsonDump(v.get());
    EXPECT_GE(jsonInt(f0, "packets").value_or(0), 30);
    // The authenticated prefix exports.
    JsonPtr e = admin(R"({"request":"export","recording":")" + id + "\"}");
    MjrFile m = parseMjr(json_string_value(json_array_get(json_object_get(e.get(), "files"), 0)));
    EXPECT_GE(m.packets.size(), 30u);
    for (size_t i = 0; i < 30; ++i) EXPECT_EQ(Bytes(m.packets[i].begin() + 12, m.packets[i].end()), payload(0xA0, i));
}

// A stream's file that cannot be written (here a file size limit, later lifted; a full disk fails the
// same way with ENOSPC) fails that stream only: its file is cut back to the last complete chunk, the
// recording ends `failed` with a signed manifest of what each file holds, and no payload byte of any
// packet, before, during or after the failure, reaches the disk in clear.
TEST_F(RecorderPluginTest, AStreamWhoseWritesFailEndsTheRecordingFailedWithAnAuthenticPrefixAndNoPlaintext) {
    JsonPtr s = startAv();
    std::string id = str(s.get(), "recording");
    Bytes key = *base64Decode(str(s.get(), "srtp_crypto"));
    const json_t* streams = json_object_get(s.get(), "streams");
    SrtpSender a(static_cast<int>(*jsonInt(json_array_get(streams, 0), "port")), 80, key, 0x1111, 111);
    SrtpSender v(static_cast<int>(*jsonInt(json_array_get(streams, 1), "port")), 80, key, 0x2222, 96);
    const std::string marker = "PHI-MARKER-";
    size_t ai = 0, vi = 0;
    auto marked = [&](char kind, size_t i, size_t n) {
        Bytes p(n, static_cast<uint8_t>(i));
        std::string text = marker + kind + std::to_string(i);
        std::copy(text.begin(), text.end(), p.begin());
        return p;
    };
    auto sendSome = [&](size_t na, size_t nv) {
        for (size_t k = 0; k < na; ++k) a.send(marked('a', ai++, 100), 960);
        for (size_t k = 0; k < nv; ++k) v.send(marked('v', vi++, 900), 3000);
    };
    sendSome(20, 20);
    waitReceived(id, {20, 20});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // > chunk_ms: what arrived is sealed
    const auto videoBytes = std::filesystem::file_size(recFile(id, 1));
    {
        // The video file (900-byte packets) hits the limit at its next chunk; the audio file stays below.
        FileSizeLimit limit(videoBytes + 2000);
        sendSome(5, 30);
        waitReceived(id, {25, 50});
        JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
        EXPECT_EQ(str(st.get(), "status"), "recording");
        EXPECT_EQ(str(st.get(), "failure"), "file_too_large") << jsonDump(st.get());
        const json_t* c = json_object_get(st.get(), "counters");
        EXPECT_EQ(str(json_array_get(c, 1), "write_error"), "file_too_large");
        EXPECT_EQ(json_object_get(json_array_get(c, 0), "write_error"), nullptr);
        limit.lift();  // room again: the failed stream must still write nothing
    }
    sendSome(10, 10);
    waitReceived(id, {35, 60});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    JsonPtr stopped = admin(R"({"request":"stop","recording":")" + id + "\"}");
    EXPECT_EQ(str(stopped.get(), "status"), "failed") << jsonDump(stopped.get());
    EXPECT_EQ(str(stopped.get(), "failure"), "file_too_large");
    const json_t* files = json_object_get(stopped.get(), "files");
    EXPECT_EQ(jsonBool(json_array_get(files, 0), "complete"), true);
    EXPECT_EQ(jsonInt(json_array_get(files, 0), "packets"), 35);
    EXPECT_EQ(jsonBool(json_array_get(files, 1), "complete"), false);
    EXPECT_EQ(str(json_array_get(files, 1), "write_error"), "file_too_large");
    EXPECT_GE(jsonInt(json_array_get(files, 1), "lost").value_or(0), 10);
    const int64_t videoKept = jsonInt(json_array_get(files, 1), "packets").value_or(-1);
    EXPECT_GE(videoKept, 20);
    EXPECT_LT(videoKept, 50);
    EXPECT_EQ(std::filesystem::file_size(recFile(id, 1)),
              static_cast<uint64_t>(*jsonInt(json_array_get(files, 1), "bytes")));

    // Not one payload marker anywhere in the recordings folder.
    for (const auto& entry : std::filesystem::directory_iterator(dir.file("rec"))) {
        Bytes f = readWholeFile(entry.path().string());
        EXPECT_EQ(std::search(f.begin(), f.end(), marker.begin(), marker.end()), f.end()) << entry.path();
    }

    // One PHI-free event for the failed stream, the stop says `failed`; `info` counts it.
    size_t writeFailed = 0;
    for (const auto& e : host.events) {
        if (str(e.get(), "event") == "write_failed") {
            ++writeFailed;
            EXPECT_EQ(jsonInt(e.get(), "stream"), 1);
            EXPECT_EQ(str(e.get(), "reason"), "file_too_large");
        }
        if (str(e.get(), "event") == "stopped") {
            EXPECT_EQ(str(e.get(), "status"), "failed");
        }
    }
    EXPECT_EQ(writeFailed, 1u) << host.dumpAll();
    EXPECT_EQ(jsonInt(admin(R"({"request":"info"})").get(), "write_failures"), 1);

    // status and list say `failed`; verify holds every file to the signed manifest (the failed file
    // ends exactly after the chunks it counts) and reports it incomplete.
    JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
    EXPECT_EQ(str(st.get(), "status"), "failed");
    EXPECT_EQ(str(st.get(), "failure"), "file_too_large");
    JsonPtr listed = admin(R"({"request":"list"})");
    ASSERT_EQ(json_array_size(json_object_get(listed.get(), "recordings")), 1u);
    EXPECT_EQ(str(json_array_get(json_object_get(listed.get(), "recordings"), 0), "status"), "failed");
    JsonPtr vr = admin(R"({"request":"verify","recording":")" + id + "\"}");
    const json_t* rep = json_object_get(vr.get(), "verification");
    EXPECT_EQ(jsonBool(rep, "ok"), true) << jsonDump(vr.get());
    EXPECT_EQ(jsonBool(rep, "complete"), false);
    const json_t* f1 = json_array_get(json_object_get(rep, "files"), 1);
    EXPECT_EQ(jsonInt(f1, "packets"), videoKept);
    EXPECT_NE(str(f1, "damage").find("final chunk missing"), std::string::npos);

    // Cutting the failed file further is tampering: verify no longer passes.
    {
        Bytes f = readWholeFile(recFile(id, 1));
        std::filesystem::copy_file(recFile(id, 1), dir.file("video.bak"));
        std::filesystem::resize_file(recFile(id, 1), f.size() - 1);
        EXPECT_EQ(
            jsonBool(json_object_get(admin(R"({"request":"verify","recording":")" + id + "\"}").get(), "verification"),
                     "ok"),
            false);
        std::filesystem::remove(recFile(id, 1));
        std::filesystem::copy_file(dir.file("video.bak"), recFile(id, 1));
    }

    // The authentic prefix exports; retention deletes a failed recording like any other.
    JsonPtr ex = admin(R"({"request":"export","recording":")" + id + "\"}");
    MjrFile mv = parseMjr(json_string_value(json_array_get(json_object_get(ex.get(), "files"), 1)));
    ASSERT_EQ(mv.packets.size(), static_cast<size_t>(videoKept));
    for (size_t i = 0; i < mv.packets.size(); ++i)
        EXPECT_EQ(Bytes(mv.packets[i].begin() + 12, mv.packets[i].end()), marked('v', i, 900));
    EXPECT_EQ(plugin->sweep(*jsonInt(st.get(), "expires_ms")), 1);
    EXPECT_EQ(str(admin(R"({"request":"status","recording":")" + id + "\"}").get(), "status"), "deleted");
}

// Still no room when `stop` writes the manifest: nothing may claim the recording is sealed. It is left
// as a crash leaves it (interrupted: the authentic prefixes stay readable), with error 470 (write_failed).
TEST_F(RecorderPluginTest, StartOrStopThatCannotWriteAnswers470AndLeavesNothingHalfDone) {
    JsonPtr s = startAv();
    std::string id = str(s.get(), "recording");
    Bytes key = *base64Decode(str(s.get(), "srtp_crypto"));
    SrtpSender a(static_cast<int>(*jsonInt(json_array_get(json_object_get(s.get(), "streams"), 0), "port")), 80, key,
                 0x1111, 111);
    for (size_t i = 0; i < 20; ++i) a.send(payload(0xA0, i), 960);
    waitReceived(id, {20, 0});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    {
        FileSizeLimit limit(100);  // smaller than any manifest or state file
        EXPECT_EQ(errorOf(R"({"request":"stop","recording":")" + id + "\"}"), recorder::errc::kWriteFailed);
    }
    JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
    EXPECT_EQ(str(st.get(), "status"), "interrupted");
    EXPECT_FALSE(std::filesystem::exists(dir.file("rec/" + id + ".manifest.json")));
    for (const auto& entry : std::filesystem::directory_iterator(dir.file("rec")))
        EXPECT_FALSE(entry.path().string().ends_with(".tmp")) << entry.path();
    JsonPtr vr = admin(R"({"request":"verify","recording":")" + id + "\"}");
    const json_t* rep = json_object_get(vr.get(), "verification");
    EXPECT_EQ(jsonBool(rep, "ok"), false);
    EXPECT_EQ(jsonInt(json_array_get(json_object_get(rep, "files"), 0), "packets"), 20) << jsonDump(vr.get());
    EXPECT_EQ(errorOf(R"({"request":"stop","recording":")" + id + "\"}"), recorder::errc::kNotActive);

    // A start on a full disk answers 470 too and leaves nothing recording.
    {
        FileSizeLimit limit(100);
        EXPECT_EQ(errorOf(R"({"request":"start","streams":[{"kind":"audio","codec":"opus"}]})"),
                  recorder::errc::kWriteFailed);
    }
    EXPECT_EQ(jsonInt(admin(R"({"request":"info"})").get(), "active"), 0);
    JsonPtr listed = admin(R"({"request":"list"})");
    for (size_t i = 0; i < json_array_size(json_object_get(listed.get(), "recordings")); ++i)
        EXPECT_NE(str(json_array_get(json_object_get(listed.get(), "recordings"), i), "status"), "recording");
}

// One SRTP key for every stream of a recording (VideoRoom's rtp_forward): a packet captured on stream
// A's port and replayed to stream B's port authenticates under that key. Each port accepts only the
// SSRC of its first authenticated packet and never one another port accepts: the replay is refused
// and counted, never recorded, whether it arrives before B's first packet or after.
TEST_F(RecorderPluginTest, APacketReplayedFromAnotherStreamsPortIsRefusedAndCounted) {
    JsonPtr s = startAv();
    EXPECT_EQ(str(s.get(), "srtp_keys"), "shared");
    std::string id = str(s.get(), "recording");
    Bytes key = *base64Decode(str(s.get(), "srtp_crypto"));
    const json_t* streams = json_object_get(s.get(), "streams");
    SrtpSender a(static_cast<int>(*jsonInt(json_array_get(streams, 0), "port")), 80, key, 0x1111, 111);
    SrtpSender v(static_cast<int>(*jsonInt(json_array_get(streams, 1), "port")), 80, key, 0x2222, 96);
    a.send(payload(0xA0, 0), 960);
    Bytes captured = a.lastWire();  // A's packet as a sniffer on the path saw it
    waitReceived(id, {1, 0});
    v.sendRaw(captured);  // replayed to B's port before B sent anything
    waitReceived(id, {1, 1});
    std::vector<Bytes> sentVideo;
    for (size_t i = 0; i < 5; ++i) sentVideo.push_back(v.send(payload(0xB0, i, 900), 3000));
    a.send(payload(0xA0, 1), 960);
    waitReceived(id, {2, 6});
    v.sendRaw(a.lastWire());  // and after B's stream is established
    waitReceived(id, {2, 7});
    JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
    const json_t* c1 = json_array_get(json_object_get(st.get(), "counters"), 1);
    EXPECT_EQ(jsonInt(c1, "ssrc_refused"), 2) << jsonDump(st.get());
    EXPECT_EQ(jsonInt(c1, "recorded"), 5);
    EXPECT_EQ(jsonInt(json_array_get(json_object_get(st.get(), "counters"), 0), "ssrc_refused"), 0);
    JsonPtr stopped = admin(R"({"request":"stop","recording":")" + id + "\"}");
    EXPECT_EQ(jsonInt(json_array_get(json_object_get(stopped.get(), "files"), 1), "ssrc_refused"), 2);
    JsonPtr e = admin(R"({"request":"export","recording":")" + id + "\"}");
    EXPECT_EQ(parseMjr(json_string_value(json_array_get(json_object_get(e.get(), "files"), 1))).packets, sentVideo);
}

// srtp_keys = per_stream: each stream has its own key (one rtp_forward per stream, or the room's tap),
// so a packet from another port does not even authenticate; such a port does not pin an SSRC.
TEST_F(RecorderPluginTest, PerStreamKeysSeparateTheStreamsOfARecording) {
    JsonPtr s = startAv(R"(,"srtp_keys":"per_stream")");
    EXPECT_EQ(str(s.get(), "srtp_keys"), "per_stream");
    EXPECT_EQ(json_object_get(s.get(), "srtp_crypto"), nullptr);
    std::string id = str(s.get(), "recording");
    const json_t* streams = json_object_get(s.get(), "streams");
    Bytes ka = *base64Decode(str(json_array_get(streams, 0), "srtp_crypto"));
    Bytes kv = *base64Decode(str(json_array_get(streams, 1), "srtp_crypto"));
    ASSERT_EQ(ka.size(), 30u);
    ASSERT_EQ(kv.size(), 30u);
    EXPECT_NE(ka, kv);
    int vport = static_cast<int>(*jsonInt(json_array_get(streams, 1), "port"));
    SrtpSender a(static_cast<int>(*jsonInt(json_array_get(streams, 0), "port")), 80, ka, 0x1111, 111);
    SrtpSender v(vport, 80, kv, 0x2222, 96);
    a.send(payload(0xA0, 0), 960);
    v.send(payload(0xB0, 0, 900), 3000);
    v.sendRaw(a.lastWire());                   // A's packet on B's port: B's key does not authenticate it
    SrtpSender v2(vport, 80, kv, 0x3333, 96);  // the stream's sender restarted with a new SSRC
    v2.send(payload(0xB0, 1, 900), 3000);
    waitReceived(id, {1, 3});
    JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
    const json_t* c1 = json_array_get(json_object_get(st.get(), "counters"), 1);
    EXPECT_EQ(jsonInt(c1, "srtp_failed"), 1) << jsonDump(st.get());
    EXPECT_EQ(jsonInt(c1, "ssrc_refused"), 0);
    EXPECT_EQ(jsonInt(c1, "recorded"), 2);
    admin(R"({"request":"stop","recording":")" + id + "\"}");
    EXPECT_EQ(errorOf(R"({"request":"start","srtp_keys":"each","streams":[{"kind":"audio","codec":"opus"}]})"),
              recorder::errc::kInvalidField);
    EXPECT_EQ(errorOf(R"({"request":"start","srtp_keys":1,"streams":[{"kind":"audio","codec":"opus"}]})"),
              recorder::errc::kInvalidField);
}

TEST_F(RecorderPluginTest, BadRequestsGetSpecificErrorsAndLeaveNoState) {
    EXPECT_EQ(errorOf(R"({"request":"nope"})"), recorder::errc::kUnknownRequest);
    EXPECT_EQ(errorOf(R"({"request":"start"})"), recorder::errc::kMissingField);
    EXPECT_EQ(errorOf(R"({"request":"start","streams":[]})"), recorder::errc::kInvalidField);
    EXPECT_EQ(errorOf(R"({"request":"start","streams":[{"kind":"data","codec":"x"}]})"), recorder::errc::kInvalidField);
    EXPECT_EQ(errorOf(R"({"request":"start","streams":[{"kind":"audio","codec":"Opus!"}]})"),
              recorder::errc::kInvalidField);
    EXPECT_EQ(errorOf(R"({"request":"start","srtp_suite":81,"streams":[{"kind":"audio","codec":"opus"}]})"),
              recorder::errc::kInvalidField);
    EXPECT_EQ(errorOf(R"({"request":"start","policy":"forever","streams":[{"kind":"audio","codec":"opus"}]})"),
              recorder::errc::kUnknownPolicy);
    EXPECT_EQ(json_array_size(json_object_get(admin(R"({"request":"list"})").get(), "recordings")), 0u);
    EXPECT_EQ(errorOf(R"({"request":"stop","recording":"xyz"})"), recorder::errc::kInvalidField);
    EXPECT_EQ(errorOf(R"({"request":"stop","recording":"00000000000000000000000000000000"})"),
              recorder::errc::kUnknownRecording);
    std::string id = recordSome(2, 1);
    EXPECT_EQ(errorOf(R"({"request":"stop","recording":")" + id + "\"}"), recorder::errc::kNotActive);
    JsonPtr s = admin(R"({"request":"start","srtp_suite":32,"streams":[{"kind":"audio","codec":"opus"}]})");
    EXPECT_EQ(jsonInt(s.get(), "srtp_suite"), 32);
    EXPECT_EQ(errorOf(R"({"request":"delete","reason":"x","recording":")" + str(s.get(), "recording") + "\"}"),
              recorder::errc::kActive);
}

// The typed in-process seam (RecordingSink, what the room's tap records through): registered while
// the plugin lives; its requests are checked like `start`'s (nothing left behind on a refusal); its
// recordings take no port and no SRTP key and are recordings like any other for the Admin API
// (`list`, `status` counters, `stop` by an operator, `verify`, `export` byte-identical).
TEST_F(RecorderPluginTest, InProcessRecordingsAreCheckedLikeStartAndAreRecordingsLikeAnyOther) {
    ASSERT_EQ(&*RecordingSink::inProcess().require(), static_cast<RecordingSink*>(plugin.get()));
    RecordingSink& sink = *plugin;
    auto refused = [&](std::vector<RecordingStreamSpec> streams, const std::string& policy,
                       const RecordingContext& context = {}) {
        try {
            sink.start(streams, policy, context);
        } catch (const Error& e) {
            return e.code();
        }
        return 0;
    };
    RecordingStreamSpec opus{false, "opus", "0"}, vp8{true, "vp8", "1"};
    EXPECT_EQ(refused({}, ""), recorder::errc::kInvalidField);
    EXPECT_EQ(refused(std::vector<RecordingStreamSpec>(9, opus), ""), recorder::errc::kInvalidField);
    EXPECT_EQ(refused({{false, "Opus!", "0"}}, ""), recorder::errc::kInvalidField);
    EXPECT_EQ(refused({{false, "opus", std::string(33, 'm')}}, ""), recorder::errc::kInvalidField);
    EXPECT_EQ(refused({opus}, "forever"), recorder::errc::kUnknownPolicy);
    EXPECT_EQ(refused({opus}, "", {"v_1", "r 1", {}, {}}), recorder::errc::kInvalidField);
    EXPECT_EQ(refused({opus}, "", {"v_1", "visit2", {"ps1_0123"}, {}}), recorder::errc::kInvalidField);
    EXPECT_EQ(json_array_size(json_object_get(admin(R"({"request":"list"})").get(), "recordings")), 0u);

    // Who took part (the room's pseudonyms) is kept with the recording.
    const std::string provider = "ps1_" + std::string(32, 'a'), patient = "ps1_" + std::string(32, 'b');
    std::string id = sink.start({opus, vp8}, "short", {"v_0123456789abcdef0123", "visit2", {provider}, {patient}});
    ASSERT_TRUE(recordingIdFromHex(id)) << id;
    EXPECT_EQ(jsonInt(admin(R"({"request":"info"})").get(), "active"), 1);
    std::vector<Bytes> audio, video;
    for (uint16_t i = 0; i < 30; ++i) {
        Bytes a(12, 0), v(12, 0);
        a[0] = v[0] = 0x80;
        a[1] = 111, v[1] = 96;
        a[3] = v[3] = static_cast<uint8_t>(i);
        Bytes pa = payload(0xA0, i, 100), pv = payload(0xB0, i, 1100);
        a.insert(a.end(), pa.begin(), pa.end());
        v.insert(v.end(), pv.begin(), pv.end());
        EXPECT_EQ(sink.write(id, 0, a.data(), a.size()), RecordingSink::Write::Recorded);
        EXPECT_EQ(sink.write(id, 1, v.data(), v.size()), RecordingSink::Write::Recorded);
        audio.push_back(std::move(a));
        video.push_back(std::move(v));
    }
    EXPECT_EQ(sink.write(id, 2, audio[0].data(), audio[0].size()), RecordingSink::Write::Refused);  // no stream 2
    EXPECT_EQ(sink.write(id, 0, audio[0].data(), 11), RecordingSink::Write::Refused);               // not RTP
    EXPECT_EQ(sink.write("00000000000000000000000000000000", 0, audio[0].data(), audio[0].size()),
              RecordingSink::Write::Refused);
    EXPECT_EQ(sink.failure(id), "");
    JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
    EXPECT_EQ(str(st.get(), "status"), "recording") << jsonDump(st.get());
    EXPECT_EQ(str(st.get(), "policy"), "short");
    EXPECT_EQ(str(st.get(), "visit"), "v_0123456789abcdef0123");
    EXPECT_EQ(str(st.get(), "room"), "visit2");
    EXPECT_EQ(jsonDump(json_object_get(st.get(), "participants")),
              jsonDump(J(R"({"providers":[")" + provider + R"("],"patients":[")" + patient + R"("]})").get()));
    const json_t* c = json_object_get(st.get(), "counters");
    ASSERT_EQ(json_array_size(c), 2u) << jsonDump(st.get());
    EXPECT_EQ(jsonInt(json_array_get(c, 0), "recorded"), 30);
    EXPECT_EQ(jsonInt(json_array_get(c, 1), "recorded"), 30);
    EXPECT_EQ(jsonInt(json_array_get(c, 1), "srtp_failed"), 0);

    // An operator stops it through the Admin API: the sink refuses what comes later.
    JsonPtr stopped = admin(R"({"request":"stop","recording":")" + id + "\"}");
    EXPECT_EQ(str(stopped.get(), "status"), "sealed") << jsonDump(stopped.get());
    // Signed with the files in the manifest (and read back from the state file: below).
    JsonPtr manifest = jsonParse(readFile(dir.file("rec/" + id + ".manifest.json")));
    const json_t* signedContext = json_object_get(json_object_get(manifest.get(), "body"), "context");
    EXPECT_EQ(str(signedContext, "visit"), "v_0123456789abcdef0123") << jsonDump(manifest.get());
    EXPECT_EQ(json_array_size(json_object_get(signedContext, "patients")), 1u);
    EXPECT_EQ(sink.write(id, 0, audio[0].data(), audio[0].size()), RecordingSink::Write::Refused);
    try {
        sink.stop(id);
        FAIL() << "stopped twice";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), recorder::errc::kNotActive);
    }
    JsonPtr verified = admin(R"({"request":"verify","recording":")" + id + "\"}");
    EXPECT_EQ(jsonBool(json_object_get(verified.get(), "verification"), "ok"), true) << jsonDump(verified.get());
    JsonPtr exported = admin(R"({"request":"export","recording":")" + id + "\"}");
    const json_t* files = json_object_get(exported.get(), "files");
    ASSERT_EQ(json_array_size(files), 2u);
    EXPECT_EQ(parseMjr(json_string_value(json_array_get(files, 0))).packets, audio);
    EXPECT_EQ(parseMjr(json_string_value(json_array_get(files, 1))).packets, video);
    std::vector<std::string> events = host.names();
    for (const auto& n : {"started", "stopped"})
        EXPECT_NE(std::find(events.begin(), events.end(), n), events.end()) << host.dumpAll();

    // A second one, stopped through the sink; then the plugin goes and the slot is empty.
    std::string second = sink.start({opus}, "", {});
    EXPECT_EQ(sink.write(second, 0, audio[0].data(), audio[0].size()), RecordingSink::Write::Recorded);
    RecordingStopped outcome = sink.stop(second);
    EXPECT_TRUE(outcome.sealed);
    EXPECT_EQ(outcome.failure, "");
    EXPECT_EQ(str(admin(R"({"request":"status","recording":")" + second + "\"}").get(), "policy"), "standard");
    plugin.reset();
    EXPECT_FALSE(RecordingSink::inProcess().available());
    plugin = makePlugin();
    ASSERT_EQ(plugin->store().context(id)->patients, std::vector<std::string>{patient});
    EXPECT_TRUE(plugin->store().context(second)->visit.empty()) << "the room named no visit";
}

// A room's kept chat is a stream of its own (kind chat): sealed as each message arrives, then verify,
// export (a JSON Lines transcript), hold and crypto-shredding apply unchanged. The Admin API's UDP
// `start` takes no chat stream (chat reaches the recorder only in process).
TEST_F(RecorderPluginTest, KeptChatIsSealedVerifiedExportedAndShreddedLikeARecording) {
    RecordingSink& sink = *plugin;
    EXPECT_EQ(errorOf(R"({"request":"start","streams":[{"kind":"chat","codec":"chat"}]})"),
              recorder::errc::kInvalidField);
    auto refused = [&](RecordingStreamSpec spec) {
        try {
            sink.start({spec}, "", {});
        } catch (const Error& e) {
            return e.code();
        }
        return 0;
    };
    EXPECT_EQ(refused({false, "opus", "chat", true}), recorder::errc::kInvalidField);  // chat needs codec chat
    EXPECT_EQ(refused({false, "chat", "0", false}), recorder::errc::kInvalidField);    // and only chat has it
    const std::string provider = "ps1_" + std::string(32, 'a'), patient = "ps1_" + std::string(32, 'b');
    std::string id =
        sink.start({{false, "chat", "chat", true}}, "", {"v_0123456789abcdef0123", "visit2", {provider}, {patient}});
    std::vector<ChatRecord> sent{{patient, "patient", 1000, "CANARY-CHAT-1 my rash is worse"},
                                 {provider, "provider", 2000, "CANARY-CHAT-2 \u00e9 send a photo"}};
    for (const auto& m : sent) {
        Bytes r = *m.encode();
        EXPECT_EQ(sink.write(id, 0, r.data(), r.size()), RecordingSink::Write::Recorded);
    }
    EXPECT_TRUE(sink.stop(id).sealed);
    JsonPtr st = admin(R"({"request":"status","recording":")" + id + "\"}");
    EXPECT_EQ(str(json_array_get(json_object_get(st.get(), "streams"), 0), "kind"), "chat") << jsonDump(st.get());
    const std::string file = recFile(id, 0);
    EXPECT_EQ(readFile(file).find("CANARY"), std::string::npos);
    JsonPtr verified = admin(R"({"request":"verify","recording":")" + id + "\"}");
    EXPECT_EQ(jsonBool(json_object_get(verified.get(), "verification"), "ok"), true) << jsonDump(verified.get());

    JsonPtr exported = admin(R"({"request":"export","recording":")" + id + "\"}");
    const json_t* files = json_object_get(exported.get(), "files");
    ASSERT_EQ(json_array_size(files), 1u) << jsonDump(exported.get());
    const std::string transcript = json_string_value(json_array_get(files, 0));
    EXPECT_TRUE(transcript.ends_with("-0-chat.jsonl")) << transcript;
    std::vector<ChatRecord> got;
    std::istringstream lines(readFile(transcript));
    for (std::string line; std::getline(lines, line);) {
        JsonPtr j = J(line);
        got.push_back({str(j.get(), "sender"), str(j.get(), "role"),
                       static_cast<uint64_t>(jsonInt(j.get(), "sent_ms").value_or(0)), str(j.get(), "text")});
    }
    EXPECT_EQ(got, sent);
    EXPECT_EQ(host.dumpAll().find("CANARY"), std::string::npos);  // never in an event

    // Hold and deletion as for media: the transcript export goes first, then the key, with a receipt.
    std::string rid = R"("recording":")" + id + "\"";
    admin(R"({"request":"hold",)" + rid + R"(,"reason":"litigation"})");
    EXPECT_EQ(errorOf(R"({"request":"delete",)" + rid + R"(,"reason":"patient request"})"), recorder::errc::kOnHold);
    admin(R"({"request":"release",)" + rid + R"(,"reason":"case closed"})");
    JsonPtr d = admin(R"({"request":"delete",)" + rid + R"(,"reason":"patient request"})");
    const json_t* body = json_object_get(json_object_get(d.get(), "receipt"), "body");
    EXPECT_EQ(jsonBool(body, "key_destroyed"), true);
    EXPECT_EQ(json_array_size(json_object_get(body, "exports")), 1u) << jsonDump(d.get());
    EXPECT_FALSE(std::filesystem::exists(transcript));
    EXPECT_FALSE(std::filesystem::exists(file));
}

// An Admin API start may name the visit and who takes part (pseudonyms only, at most 16 each);
// without them the recording has no context (only roles with `Any` access see it).
TEST_F(RecorderPluginTest, StartKeepsAValidContextAndRefusesABadOne) {
    const std::string p1 = "ps1_" + std::string(32, '1'), p2 = "ps1_" + std::string(32, '2');
    std::string seventeen;
    for (int i = 0; i < 17; ++i)
        seventeen += std::string(i ? "," : "") + "\"ps1_" + hexEncode(secureRandomBytes(16)) + "\"";
    for (const std::string& bad : std::vector<std::string>{
             R"(,"visit":"v 1")", R"(,"providers":"ps1_")", R"(,"patients":["PS1_00"])",
             R"(,"patients":[")" + p1 + R"(",")" + p1 + R"("])", ",\"providers\":[" + seventeen + "]"})
        EXPECT_EQ(errorOf(R"({"request":"start","streams":[{"kind":"audio","codec":"opus"}])" + bad + "}"),
                  recorder::errc::kInvalidField)
            << bad;
    EXPECT_EQ(json_array_size(json_object_get(admin(R"({"request":"list"})").get(), "recordings")), 0u);
    JsonPtr s = startAv(R"(,"visit":"v_1","providers":[")" + p1 + R"("],"patients":[")" + p2 + R"("])");
    std::string id = str(s.get(), "recording");
    ASSERT_TRUE(plugin->store().context(id).has_value());
    EXPECT_EQ(plugin->store().context(id)->patients, std::vector<std::string>{p2});
    JsonPtr list = admin(R"({"request":"list"})");
    const json_t* listed = json_array_get(json_object_get(list.get(), "recordings"), 0);
    ASSERT_NE(listed, nullptr);
    EXPECT_EQ(str(listed, "visit"), "v_1");
    EXPECT_EQ(jsonDump(json_object_get(json_object_get(listed, "participants"), "providers")), "[\"" + p1 + "\"]");
    std::string plain = str(startAv().get(), "recording");
    EXPECT_FALSE(plugin->store().context(plain).has_value());
    EXPECT_EQ(json_object_get(admin(R"({"request":"status","recording":")" + plain + "\"}").get(), "participants"),
              nullptr);
}

TEST_F(RecorderPluginTest, PortRangeExhaustionIsReportedAndCleanedUp) {
    plugin.reset();
    writeConfig("");
    std::string cfg = readFile(dir.file("recorder.jcfg"));
    cfg.replace(cfg.find("rtp_port_max = "),
                std::string("rtp_port_max = ").size() + std::to_string(portMin + 40).size(),
                "rtp_port_max = " + std::to_string(portMin + 2));
    dir.write("recorder.jcfg", cfg, 0644);
    plugin = makePlugin();
    int err = 0;
    for (int i = 0; i < 5 && err == 0; ++i)
        err = errorOf(
            R"({"request":"start","streams":[{"kind":"audio","codec":"opus"},{"kind":"video","codec":"vp8"}]})");
    EXPECT_EQ(err, recorder::errc::kNoPorts);
}

TEST_F(RecorderPluginTest, RefusesUnsafeConfiguration) {
    plugin.reset();
    ::chmod(dir.file("keyring").c_str(), 0644);
    EXPECT_THROW(makePlugin(), ConfigError);
    ::chmod(dir.file("keyring").c_str(), 0600);
    writeConfig("", "standard = \"30 days\"");
    EXPECT_THROW(makePlugin(), ConfigError);
    writeConfig("\tdefault_policy = \"qa\"\n");
    EXPECT_THROW(makePlugin(), ConfigError);
    writeConfig("\tunknown_key = 1\n");
    EXPECT_THROW(makePlugin(), ConfigError);
    writeConfig("");
    EXPECT_NO_THROW(makePlugin());
}

TEST_F(RecorderPluginTest, WithARecipientPublicKeyOnlyTheOfflineToolCanDecrypt) {
    const std::string tool = std::string(HIPAA_BUILD_DIR) + "/plugins/recorder/hipaa-recorder-tool";
    auto run = [](const std::string& cmd, int& rc) {
        hipaa::test::Shell::Result r = hipaa::test::Shell::run(cmd + " 2>&1");
        rc = r.status;
        return r.out;
    };
    plugin.reset();
    int rc = 0;
    std::string pubLine = run(tool + " keygen 5 " + dir.file("private-keyring"), rc);
    ASSERT_EQ(rc, 0) << pubLine;
    ASSERT_EQ(pubLine.rfind("5 x25519 ", 0), 0u) << pubLine;
    dir.write("keyring", readFile(dir.file("keyring")) + pubLine);  // version 5 (newest) is public-only
    plugin = makePlugin();
    std::string id = recordSome(20, 10);

    EXPECT_EQ(errorOf(R"({"request":"export","recording":")" + id + "\"}"), recorder::errc::kKeyUnavailable);
    JsonPtr v = admin(R"({"request":"verify","recording":")" + id + "\"}");
    const json_t* rep = json_object_get(v.get(), "verification");
    EXPECT_EQ(jsonBool(rep, "ok"), true) << jsonDump(v.get());  // hashes + signed manifest still check
    EXPECT_EQ(jsonBool(json_array_get(json_object_get(rep, "files"), 0), "chunks_checked"), false);

    std::string files = recFile(id, 0) + " " + recFile(id, 1);
    std::string out = run(tool + " verify " + dir.file("keyring") + " " + files, rc);
    EXPECT_NE(rc, 0) << out;  // the host keyring cannot open them
    EXPECT_NE(out.find("is a recipient public key"), std::string::npos) << out;
    out = run(tool + " verify " + dir.file("private-keyring") + " " + files, rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("20 packets"), std::string::npos) << out;
    std::filesystem::create_directories(dir.file("offline"));
    out = run(tool + " export " + dir.file("private-keyring") + " " + dir.file("offline") + " " + files, rc);
    ASSERT_EQ(rc, 0) << out;
    MjrFile m = parseMjr(dir.file("offline/" + id + "-0.mjr"));
    ASSERT_EQ(m.packets.size(), 20u);
    for (size_t i = 0; i < 20; ++i) EXPECT_EQ(Bytes(m.packets[i].begin() + 12, m.packets[i].end()), payload(0xA0, i));

    // A flipped bit: the tool reports the damage and writes no export.
    Bytes f = readWholeFile(recFile(id, 0));
    f[f.size() - 3] ^= 1;
    std::ofstream(recFile(id, 0), std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(f.data()), static_cast<long>(f.size()));
    std::filesystem::remove(dir.file("offline/" + id + "-0.mjr"));
    out = run(tool + " export " + dir.file("private-keyring") + " " + dir.file("offline") + " " + recFile(id, 0), rc);
    EXPECT_NE(rc, 0);
    EXPECT_NE(out.find("DAMAGED"), std::string::npos) << out;
    EXPECT_FALSE(std::filesystem::exists(dir.file("offline/" + id + "-0.mjr")));
}
