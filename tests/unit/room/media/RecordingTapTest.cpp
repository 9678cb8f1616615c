// RecordingTap without Janus: media threads hand RTP to the tap's ring, the tap's thread SRTP-protects
// it and sends it to a real RecorderPlugin's UDP ingest (in this process, reached through
// InProcessAdmin like janus.plugin.hipaa.room reaches janus.plugin.hipaa.recorder). The recorder's
// export must hold exactly the packets the relay handed over. TapRing on its own: order and fullness.
#include "RecordingTap.hpp"
#include "RoomHarness.hpp"
#include "TapRing.hpp"

#include "ByteOrder.hpp"
#include "FileSizeLimit.hpp"
#include "FreePort.hpp"
#include "RecorderPlugin.hpp"
#include "TempDir.hpp"
#include "UniqueFd.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/InProcessAdmin.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <atomic>
#include <thread>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::test;

namespace {

using NullHost = hipaa::room::test::MediaLog;  // RoomHarness.hpp

constexpr const char* kRecorderName = "janus.plugin.hipaa.recorder";

Bytes rtpPacket(uint8_t pt, uint32_t ssrc, uint16_t seq, size_t payload) {
    Bytes p(12 + payload);
    p[0] = 0x80;
    p[1] = pt;
    p[2] = static_cast<uint8_t>(seq >> 8);
    p[3] = static_cast<uint8_t>(seq);
    uint32_t ts = 1000u + 960u * seq;
    for (int i = 0; i < 4; ++i) {
        p[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
        p[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
    }
    for (size_t k = 0; k < payload; ++k) p[12 + k] = static_cast<uint8_t>(seq * 31 + k * 7 + pt);
    return p;
}

// Every RTP packet of an exported .mjr, in file order.
std::vector<Bytes> mjrPackets(const std::string& path) {
    Bytes b = recorder::readWholeFile(path);
    std::vector<Bytes> out;
    size_t off = 10 + recorder::getU16(b.data() + 8);
    while (off + 10 <= b.size()) {
        size_t len = recorder::getU16(b.data() + off + 8);
        out.emplace_back(b.begin() + static_cast<long>(off + 10), b.begin() + static_cast<long>(off + 10 + len));
        off += 10 + len;
    }
    return out;
}

class TapWithRecorder : public ::testing::Test {
protected:
    TempDir dir;
    NullHost host;
    std::unique_ptr<recorder::RecorderPlugin> plugin;
    RecordingTap::RecorderCall call = [](const json_t* r) { return InProcessAdmin::instance().call(kRecorderName, r); };

    void SetUp() override {
        dir.write("keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
        dir.write("sign.key", hexEncode(secureRandomBytes(32)) + "\n");
        int port = freeLoopbackPort();
        if (port > 65000) port = 40000;
        dir.write("recorder.jcfg", "general: {\n\trecordings_dir = \"" + dir.file("rec") + "\"\n\texport_dir = \"" +
                                       dir.file("exp") + "\"\n\tkeyring = \"" + dir.file("keyring") +
                                       "\"\n\tsigning_key = \"" + dir.file("sign.key") + "\"\n\trtp_port_min = " +
                                       std::to_string(port) + "\n\trtp_port_max = " + std::to_string(port + 40) +
                                       "\n\tchunk_ms = 50\n\tchunk_bytes = 4096\n\tsweep_seconds = 3600\n}\n",
                  0644);
        std::string file = dir.file("recorder.jcfg");
        plugin = std::make_unique<recorder::RecorderPlugin>(Config(JcfgParser::parseFile(file), file), Logger(), host);
    }
    JsonPtr recorderAdmin(const std::string& request, const std::string& id) {
        JsonPtr r = jsonObject();
        jsonSet(r.get(), "request", request);
        jsonSet(r.get(), "recording", id);
        return InProcessAdmin::instance().call(kRecorderName, r.get());
    }
};

}  // namespace

TEST(TapRingTest, FourProducersOneConsumerKeepEachProducersOrderAndLoseNothingAccepted) {
    TapRing ring(256);
    EXPECT_EQ(ring.capacity(), 256u);
    constexpr int kProducers = 4, kEach = 20000;
    std::atomic<int> accepted{0};
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p)
        producers.emplace_back([&, p] {
            for (int i = 0; i < kEach; ++i) {
                while (!ring.tryPush([&](TapSlot& s) {
                    s.feed = static_cast<uint64_t>(p);
                    s.mindex = i;
                    s.length = 4;
                    std::memcpy(s.data, &i, 4);
                })) std::this_thread::yield();
                accepted.fetch_add(1);
            }
        });
    std::vector<int> next(kProducers, 0);
    int popped = 0;
    bool inOrder = true;
    while (popped < kProducers * kEach) {
        if (!ring.tryPop([&](TapSlot& s) {
                int v;
                std::memcpy(&v, s.data, 4);
                inOrder &= s.mindex == next[s.feed] && v == next[s.feed];
                ++next[s.feed];
            }))
            std::this_thread::yield();
        else
            ++popped;
    }
    for (auto& t : producers) t.join();
    EXPECT_TRUE(inOrder);
    EXPECT_EQ(accepted.load(), kProducers * kEach);
    EXPECT_FALSE(ring.tryPop([](TapSlot&) {}));
}

TEST(TapRingTest, AFullRingRefusesWithoutOverwriting) {
    TapRing ring(3);  // rounded up to 4
    ASSERT_EQ(ring.capacity(), 4u);
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(ring.tryPush([&](TapSlot& s) { s.mindex = i; }));
    EXPECT_FALSE(ring.tryPush([](TapSlot& s) { s.mindex = 99; }));
    int first = -1;
    EXPECT_TRUE(ring.tryPop([&](TapSlot& s) { first = s.mindex; }));
    EXPECT_EQ(first, 0);
    EXPECT_TRUE(ring.tryPush([](TapSlot& s) { s.mindex = 4; }));
    std::vector<int> rest;
    while (ring.tryPop([&](TapSlot& s) { rest.push_back(s.mindex); })) {
    }
    EXPECT_EQ(rest, (std::vector<int>{1, 2, 3, 4}));
}

TEST_F(TapWithRecorder, RelayedPacketsReachTheRecorderEncryptedAndExportByteIdentical) {
    RecordingTap tap(call, TapSettings{}, Logger());
    tap.streamAdded({.feed = 7, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
    tap.streamAdded({.feed = 7, .mindex = 1, .video = true, .codec = "vp8", .payloadType = 96});
    // Not recording yet: packets are ignored, not queued.
    Bytes early = rtpPacket(111, 0x1111, 1, 80);
    tap.rtp(7, 0, early.data(), early.size());
    EXPECT_EQ(tap.stats().packets, 0u);

    tap.start();
    EXPECT_TRUE(tap.recording());
    std::vector<Bytes> audio, video;
    for (uint16_t i = 0; i < 150; ++i) {
        audio.push_back(rtpPacket(111, 0x1111, static_cast<uint16_t>(100 + i), 90));
        video.push_back(rtpPacket(96, 0x2222, static_cast<uint16_t>(500 + i), 900));
    }
    // Two "media threads", one per stream, as the relay would call it.
    std::thread a([&] {
        for (auto& p : audio) {
            tap.rtp(7, 0, p.data(), p.size());
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    });
    std::thread v([&] {
        for (auto& p : video) {
            tap.rtp(7, 1, p.data(), p.size());
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    });
    a.join();
    v.join();
    Bytes unknown = rtpPacket(100, 0x3333, 1, 50);
    tap.rtp(8, 0, unknown.data(), unknown.size());  // a feed never announced
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // UDP on loopback: let the ingest read it
    std::vector<std::string> ids = tap.stop();
    EXPECT_FALSE(tap.recording());
    ASSERT_EQ(ids.size(), 1u);
    RecordingTap::Stats st = tap.stats();
    EXPECT_EQ(st.packets, 301u);
    EXPECT_EQ(st.sent, 300u);
    EXPECT_EQ(st.dropped, 0u);
    EXPECT_EQ(st.unknown, 1u);
    EXPECT_EQ(st.failed, 0u);

    JsonPtr status = recorderAdmin("status", ids[0]);
    EXPECT_EQ(jsonString(status.get(), "status").value_or(""), "sealed") << jsonDump(status.get());
    JsonPtr verified = recorderAdmin("verify", ids[0]);
    EXPECT_EQ(jsonBool(json_object_get(verified.get(), "verification"), "ok"), true) << jsonDump(verified.get());
    JsonPtr exported = recorderAdmin("export", ids[0]);
    const json_t* files = json_object_get(exported.get(), "files");
    ASSERT_EQ(json_array_size(files), 2u) << jsonDump(exported.get());
    EXPECT_EQ(mjrPackets(json_string_value(json_array_get(files, 0))), audio);
    EXPECT_EQ(mjrPackets(json_string_value(json_array_get(files, 1))), video);
    // At rest nothing of the payloads is readable.
    Bytes disk = recorder::readWholeFile(dir.file("rec/" + ids[0] + "-1.jrec"));
    EXPECT_EQ(std::search(disk.begin(), disk.end(), video[10].begin() + 20, video[10].begin() + 52), disk.end());
}

TEST_F(TapWithRecorder, ANewStreamStartsANewSegmentAndARemovedFeedIsSealed) {
    RecordingTap tap(call, TapSettings{}, Logger());
    tap.streamAdded({.feed = 1, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
    tap.start();
    Bytes p = rtpPacket(111, 1, 1, 60);
    tap.rtp(1, 0, p.data(), p.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    tap.streamAdded({.feed = 1, .mindex = 1, .video = true, .codec = "vp8", .payloadType = 96});  // camera on
    Bytes q = rtpPacket(96, 2, 1, 60);
    tap.rtp(1, 1, q.data(), q.size());
    // The tap's thread seals the first segment and starts the second (fsyncs: slow on a loaded machine).
    for (int i = 0; i < 1000 && tap.recordings().size() < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(tap.recordings().size(), 2u);
    tap.streamRemoved(1, 0);
    tap.streamRemoved(1, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::vector<std::string> ids = tap.stop();
    EXPECT_EQ(ids.size(), 2u);
    for (const auto& id : ids) {
        JsonPtr s = recorderAdmin("status", id);
        EXPECT_EQ(jsonString(s.get(), "status").value_or(""), "sealed") << jsonDump(s.get());
    }
}

TEST(RecordingTapControl, StartFailsWhenNoRecorderIsLoadedAndBadPacketsAreCounted) {
    RecordingTap tap([](const json_t* r) { return InProcessAdmin::instance().call("janus.plugin.hipaa.nothing", r); },
                     TapSettings{}, Logger());
    try {
        tap.start();
        FAIL() << "start without a recorder";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), InProcessAdmin::kUnavailable);
    }
    EXPECT_FALSE(tap.recording());

    // A recorder that refuses start: packets are counted as failed, nothing crashes, stop returns nothing.
    RecordingTap refusing([](const json_t* r) -> JsonPtr {
        if (jsonString(r, "request").value_or("") == "start") throw Error(420, "no ports");
        return jsonObject();
    }, TapSettings{}, Logger());
    refusing.streamAdded({.feed = 1, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
    refusing.start();
    Bytes p = rtpPacket(111, 1, 1, 60);
    for (int i = 0; i < 3; ++i) refusing.rtp(1, 0, p.data(), p.size());
    Bytes tiny(5, 0x80), huge(TapSlot::kMaxPacket + 1, 0x80);
    refusing.rtp(1, 0, tiny.data(), tiny.size());
    refusing.rtp(1, 0, huge.data(), huge.size());
    EXPECT_TRUE(refusing.stop().empty());
    EXPECT_EQ(refusing.stats().failed, 3u);
    EXPECT_EQ(refusing.stats().dropped, 2u);
    EXPECT_EQ(refusing.stats().sent, 0u);
}

// stop() right after rtp(): every packet accepted while armed is handled by the final drain (here:
// counted as failed, the recorder refuses), none silently dropped. Before the fix stop() disarmed
// first and the tap thread could drop queued packets as "late" (seen once in CI, 0 of 3 counted;
// with the busy threads below the old code failed within 300 rounds in 3 runs of 3).
TEST(RecordingTapControl, PacketsAcceptedBeforeStopAreAllHandledByTheFinalDrain) {
    Bytes p = rtpPacket(111, 1, 1, 60);
    // Busy threads on every core make the tap thread lose its CPU between its checks, as in a loaded CI.
    std::atomic<bool> busy{true};
    std::vector<std::thread> load;
    for (unsigned i = 0; i < 2 * std::max(1u, std::thread::hardware_concurrency()); ++i)
        load.emplace_back([&] { while (busy.load(std::memory_order_relaxed)) {} });
    struct Join {
        std::atomic<bool>& b;
        std::vector<std::thread>& t;
        ~Join() { b = false; for (auto& x : t) x.join(); }
    } join{busy, load};
    for (int round = 0; round < 300; ++round) {
        RecordingTap tap([](const json_t* r) -> JsonPtr {
            if (jsonString(r, "request").value_or("") == "start") throw Error(420, "no ports");
            return jsonObject();
        }, TapSettings{}, Logger());
        tap.streamAdded({.feed = 1, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
        tap.start();
        for (int i = 0; i < 3; ++i) tap.rtp(1, 0, p.data(), p.size());
        tap.stop();
        ASSERT_EQ(tap.stats().failed, 3u) << "round " << round;
        tap.rtp(1, 0, p.data(), p.size());  // after stop: not accepted
        EXPECT_EQ(tap.stats().packets, 3u);
    }
}

// Per-feed failures after "recording: started" reach the room through onFailure, once each: a feed
// the recorder refuses, a feed with more streams than a recording takes, a recording whose writes
// failed (found by polling `status`), and a segment whose stop fails. Before, each was one log line.
TEST(RecordingTapControl, FailuresAfterStartAreReportedOncePerFeedSegment) {
    std::mutex m;
    std::vector<std::pair<std::string, std::string>> reports;
    int starts = 0;
    TapSettings ts;
    ts.pollMs = 20;
    ts.onFailure = [&](const std::string& reason, const std::string& recording) {
        std::lock_guard l(m);
        reports.emplace_back(reason, recording);
    };
    RecordingTap tap(
        [&](const json_t* r) -> JsonPtr {
            std::string what(jsonString(r, "request").value_or(""));
            std::string id(jsonString(r, "recording").value_or(""));
            if (what == "start") {
                const json_t* streams = json_object_get(r, "streams");
                if (jsonString(json_array_get(streams, 0), "codec").value_or("") == "vp9") throw Error(420, "no ports");
                JsonPtr a = jsonParse(R"({"recorder":"ok","host":"127.0.0.1","srtp_suite":80,"streams":[]})");
                jsonSet(a.get(), "recording", "rec-" + std::to_string(++starts));
                for (size_t i = 0; i < json_array_size(streams); ++i) {
                    JsonPtr st = jsonParse(R"({"port":9})");
                    jsonSet(st.get(), "srtp_crypto", base64Encode(secureRandomBytes(30)));
                    json_array_append_new(json_object_get(a.get(), "streams"), st.release());
                }
                jsonSet(a.get(), "srtp_crypto", base64Encode(secureRandomBytes(30)));
                return a;
            }
            if (what == "status") return jsonParse(id == "rec-1" ? R"({"failure":"no_space"})" : "{}");
            if (what == "stop" && id == "rec-2") throw Error(470, "manifest not written");
            if (what == "stop") return jsonParse(id == "rec-1" ? R"({"status":"failed"})" : R"({"status":"sealed"})");
            return jsonObject();
        },
        ts, Logger());
    tap.streamAdded({.feed = 1, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
    tap.streamAdded({.feed = 2, .mindex = 0, .video = true, .codec = "vp9", .payloadType = 98});
    for (int k = 0; k < 9; ++k)
        tap.streamAdded({.feed = 3, .mindex = k, .video = k > 0, .codec = k ? "vp8" : "opus", .payloadType = 96});
    tap.start();
    Bytes p = rtpPacket(111, 1, 1, 60);
    for (int round = 0; round < 10; ++round) {
        for (uint64_t feed : {1, 2, 3}) tap.rtp(feed, 0, p.data(), p.size());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    tap.stop();
    std::lock_guard l(m);
    std::sort(reports.begin(), reports.end());
    EXPECT_EQ(reports, (std::vector<std::pair<std::string, std::string>>{
                           {"start_failed", ""}, {"stop_failed", "rec-2"}, {"too_many_streams", "rec-2"},
                           {"write_failed", "rec-1"}}));
    EXPECT_EQ(tap.stats().failures, 4u);
}

// The real recorder cannot write a stream's file (file size limit): the tap learns it from `status`
// while recording, reports it once with the recorder's id, and the recording ends `failed`.
TEST_F(TapWithRecorder, ARecorderWriteFailureIsReportedOnceWithTheRecordingId) {
    std::mutex m;
    std::vector<std::pair<std::string, std::string>> reports;
    TapSettings ts;
    ts.pollMs = 20;
    ts.onFailure = [&](const std::string& reason, const std::string& recording) {
        std::lock_guard l(m);
        reports.emplace_back(reason, recording);
    };
    RecordingTap tap(call, ts, Logger());
    tap.streamAdded({.feed = 4, .mindex = 0, .video = true, .codec = "vp8", .payloadType = 96});
    tap.start();
    auto sendVideo = [&](uint16_t from, uint16_t n) {
        for (uint16_t i = from; i < from + n; ++i) {
            Bytes v = rtpPacket(96, 0x4444, i, 1000);
            tap.rtp(4, 0, v.data(), v.size());
            std::this_thread::sleep_for(std::chrono::microseconds(300));
        }
    };
    sendVideo(0, 20);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ASSERT_EQ(tap.recordings().size(), 1u);
    const std::string id = tap.recordings()[0];
    {
        hipaa::test::FileSizeLimit limit(std::filesystem::file_size(dir.file("rec/" + id + "-0.jrec")) + 1000);
        sendVideo(20, 40);
        for (int i = 0; i < 200; ++i) {
            {
                std::lock_guard l(m);
                if (!reports.empty()) break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    sendVideo(60, 20);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    tap.stop();
    {
        std::lock_guard l(m);
        EXPECT_EQ(reports, (std::vector<std::pair<std::string, std::string>>{{"write_failed", id}}));
    }
    JsonPtr s = recorderAdmin("status", id);
    EXPECT_EQ(jsonString(s.get(), "status").value_or(""), "failed") << jsonDump(s.get());
    EXPECT_EQ(jsonString(s.get(), "failure").value_or(""), "file_too_large");
}

TEST(InProcessAdminTest, WithdrawWaitsForCallsInFlightAndThenRefuses) {
    auto& dirx = InProcessAdmin::instance();
    std::atomic<bool> inside{false};
    dirx.provide("test.slow", [&](const json_t*) {
        inside = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return jsonObject();
    });
    EXPECT_TRUE(dirx.available("test.slow"));
    std::thread caller([&] { dirx.call("test.slow", nullptr); });
    while (!inside) std::this_thread::yield();
    auto t0 = std::chrono::steady_clock::now();
    dirx.withdraw("test.slow");
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(50));
    caller.join();
    EXPECT_FALSE(dirx.available("test.slow"));
    EXPECT_THROW(dirx.call("test.slow", nullptr), Error);
}
