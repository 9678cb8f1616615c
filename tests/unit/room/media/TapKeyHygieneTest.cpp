// The SRTP keys of a consult recording leave no copy in freed memory, neither in the room's tap (the
// recorder's answer, the decoded keys) nor in the recorder behind it. Own executable: FreedMemoryLog
// replaces operator new/delete and logs every block freed meanwhile.
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <array>
#include <mutex>
#include <thread>

#include "FreePort.hpp"
#include "FreedMemoryLog.hpp"
#include "RecorderPlugin.hpp"
#include "RecordingTap.hpp"
#include "TempDir.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/InProcessAdmin.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/Zeroize.hpp"

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::test;

namespace {

class NullHost : public MediaHost {
public:
    bool pushEvent(SessionId, const std::string&, const json_t*, const json_t*) override { return true; }
    void notifyEvent(SessionId, const json_t*) override {}
    bool eventsEnabled() const override { return true; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}
};

// Secrets the test learns, kept outside the heap.
struct Known {
    std::array<uint8_t, 64> bytes{};
    size_t size = 0;
    ByteView view() const { return {bytes.data(), size}; }
};

}  // namespace

TEST(TapKeyHygiene, NeitherTheTapNorTheRecorderLeavesAnSrtpKeyInFreedMemory) {
    TempDir dir;
    NullHost host;
    dir.write("keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
    dir.write("sign.key", hexEncode(secureRandomBytes(32)) + "\n");
    int port = freeLoopbackPort();
    if (port > 65000) port = 40000;
    dir.write("recorder.jcfg",
              "general: {\n\trecordings_dir = \"" + dir.file("rec") + "\"\n\texport_dir = \"" + dir.file("exp") +
                  "\"\n\tkeyring = \"" + dir.file("keyring") + "\"\n\tsigning_key = \"" + dir.file("sign.key") +
                  "\"\n\trtp_port_min = " + std::to_string(port) + "\n\trtp_port_max = " + std::to_string(port + 20) +
                  "\n\tchunk_ms = 50\n}\n",
              0644);
    std::mutex m;
    std::array<Known, 8> raw, text;
    size_t known = 0;
    FreedMemoryLog log;
    {
        std::string file = dir.file("recorder.jcfg");
        recorder::RecorderPlugin plugin(Config(JcfgParser::parseFile(file), file), Logger(), host);
        // The recorder's answers as the tap receives them; the test notes the keys they carry.
        RecordingTap::RecorderCall call = [&](const json_t* r) {
            JsonPtr a = InProcessAdmin::instance().call("janus.plugin.hipaa.recorder", r);
            size_t i;
            json_t* st;
            json_array_foreach(json_object_get(a.get(), "streams"), i, st) {
                auto b64 = jsonString(st, "srtp_crypto");
                if (!b64) continue;
                std::lock_guard l(m);
                std::optional<Bytes> k = base64Decode(*b64);
                if (!k || known == raw.size()) continue;
                std::copy(k->begin(), k->end(), raw[known].bytes.begin());
                raw[known].size = k->size();
                std::copy(b64->begin(), b64->end(), text[known].bytes.begin());
                text[known].size = b64->size();
                ++known;
                zeroize(k->data(), k->size());
            }
            return a;
        };
        RecordingTap tap(call, TapSettings{}, Logger());
        tap.streamAdded({.feed = 1, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
        tap.streamAdded({.feed = 1, .mindex = 1, .video = true, .codec = "vp8", .payloadType = 96});
        tap.start();
        Bytes p(200, 0x5a);
        p[0] = 0x80;
        for (int i = 0; i < 50; ++i) {
            p[1] = 111;
            p[3] = static_cast<uint8_t>(i);
            tap.rtp(1, 0, p.data(), p.size());
            p[1] = 96;
            tap.rtp(1, 1, p.data(), p.size());
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        EXPECT_EQ(tap.stop().size(), 1u);
        EXPECT_GT(tap.stats().sent, 90u);
    }
    log.stop();
    ASSERT_FALSE(log.overflowed());
    std::lock_guard l(m);
    ASSERT_EQ(known, 2u);  // per-stream keys: one per stream
    for (size_t k = 0; k < known; ++k) {
        EXPECT_EQ(log.freedBlocksHolding(raw[k].view()), 0u) << "key " << k;
        EXPECT_EQ(log.freedBlocksHolding(text[k].view()), 0u) << "base64 key " << k;
    }
}
