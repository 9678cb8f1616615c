// SPDX-License-Identifier: GPL-3.0-or-later
// Key material leaves no copy in freed memory: the keyring's keys (and the hex text they were read
// from), and the SRTP keys the recorder hands out in `start` (and their base64 text). Runs in its own
// executable: FreedMemoryLog replaces operator new/delete and logs every block freed meanwhile.
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <array>
#include <thread>

#include "FreePort.hpp"
#include "FreedMemoryLog.hpp"
#include "Keyring.hpp"
#include "NullHost.hpp"
#include "RecorderPlugin.hpp"
#include "SrtpSender.hpp"
#include "TempDir.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/Zeroize.hpp"

using namespace hipaa;
using namespace hipaa::recorder;
using namespace hipaa::test;

namespace {

// A secret the test knows, kept outside the heap (the log must see only the code's own copies).
struct Known {
    std::array<uint8_t, 64> bytes{};
    size_t size = 0;
    void set(ByteView b) {
        size = std::min(b.size(), bytes.size());
        std::copy(b.begin(), b.begin() + static_cast<long>(size), bytes.begin());
    }
    ByteView view() const { return {bytes.data(), size}; }
};

// Writes `text` to a 0600 file and wipes the test's own copy.
std::string writeSecret(const TempDir& dir, const std::string& name, std::string text) {
    std::string path = dir.write(name, text, 0600);
    zeroize(text.data(), text.size());
    return path;
}

}  // namespace

TEST(KeyHygiene, AKeyringLeavesNoKeyNorItsHexInFreedMemory) {
    TempDir dir;
    Known kek, kekHex, x, xHex;
    std::string path;
    {
        Bytes k = secureRandomBytes(32), p = secureRandomBytes(32);
        std::string kh = hexEncode(k), ph = hexEncode(p);
        kek.set(k);
        kekHex.set(asBytes(kh));
        x.set(p);
        xHex.set(asBytes(ph));
        std::string text;
        text.reserve(256);
        text.append("1 kek ").append(kh).append("\n2 x25519-private ").append(ph).append("\n");
        zeroize(k.data(), k.size());
        zeroize(p.data(), p.size());
        zeroize(kh.data(), kh.size());
        zeroize(ph.data(), ph.size());
        path = writeSecret(dir, "keyring", std::move(text));
    }
    FreedMemoryLog log;
    {
        Keyring ring = Keyring::fromFile(path);
        Keyring copy = ring;  // copies are wiped too
        Bytes dataKey = secureRandomBytes(32);
        Digest256 h{};
        auto back = ring.unwrap(ring.wrap(dataKey, h, 1), h);
        ASSERT_TRUE(back);
        EXPECT_TRUE(std::equal(back->begin(), back->end(), dataKey.begin()));
        zeroize(dataKey.data(), dataKey.size());
        EXPECT_THROW(Keyring::fromText("1 kek " + std::string(63, 'a') + "\n", "bad"), ConfigError);
    }
    log.stop();
    ASSERT_FALSE(log.overflowed());
    EXPECT_GT(log.blocks(), 10u);
    EXPECT_EQ(log.freedBlocksHolding(kek.view()), 0u);
    EXPECT_EQ(log.freedBlocksHolding(kekHex.view()), 0u);
    EXPECT_EQ(log.freedBlocksHolding(x.view()), 0u);
    EXPECT_EQ(log.freedBlocksHolding(xHex.view()), 0u);
}

TEST(KeyHygiene, TheRecorderKeepsNoCopyOfTheSrtpKeysItHandsOut) {
    TempDir dir;
    NullHost host(true);
    writeSecret(dir, "keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
    writeSecret(dir, "sign.key", hexEncode(secureRandomBytes(32)) + "\n");
    int port = freeLoopbackPort();
    if (port > 65000) port = 40000;
    dir.write("recorder.jcfg",
              "general: {\n\trecordings_dir = \"" + dir.file("rec") + "\"\n\texport_dir = \"" + dir.file("exp") +
                  "\"\n\tkeyring = \"" + dir.file("keyring") + "\"\n\tsigning_key = \"" + dir.file("sign.key") +
                  "\"\n\trtp_port_min = " + std::to_string(port) + "\n\trtp_port_max = " + std::to_string(port + 20) +
                  "\n\tchunk_ms = 50\n}\n",
              0644);
    std::array<Known, 3> keys, texts;
    FreedMemoryLog log;
    {
        std::string file = dir.file("recorder.jcfg");
        RecorderPlugin plugin(Config(JcfgParser::parseFile(file), file), Logger(), host);
        size_t n = 0;
        for (const char* mode : {"shared", "per_stream"}) {
            JsonPtr s = plugin.handleAdmin(
                jsonParse(std::string(R"({"request":"start","srtp_keys":")") + mode +
                          R"(","streams":[{"kind":"audio","codec":"opus"},{"kind":"video","codec":"vp8"}]})")
                    .get());
            std::string id(jsonString(s.get(), "recording").value_or(""));
            std::vector<json_t*> holders{s.get()};
            size_t i;
            json_t* st;
            json_array_foreach(json_object_get(s.get(), "streams"), i, st) holders.push_back(st);
            for (json_t* h : holders) {
                auto b64 = jsonString(h, "srtp_crypto");
                if (!b64) continue;
                std::optional<Bytes> raw = base64Decode(*b64);
                ASSERT_TRUE(raw);
                keys[n].set(*raw);
                texts[n].set(asBytes(*b64));
                ++n;
                int p = static_cast<int>(
                    jsonInt(json_array_get(json_object_get(s.get(), "streams"), 0), "port").value_or(0));
                {
                    SrtpSender a(p, 80, *raw, 0x1234, 111);
                    for (int k = 0; k < 5; ++k) a.send(Bytes(60, 0x42), 960);
                }
                zeroize(raw->data(), raw->size());
                zeroizeJsonString(h, "srtp_crypto");  // as the room's tap does with the answer
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            plugin.handleAdmin(jsonParse(R"({"request":"stop","recording":")" + id + "\"}").get());
        }
        ASSERT_EQ(n, 3u);  // one shared key, two per-stream keys
    }
    log.stop();
    ASSERT_FALSE(log.overflowed());
    for (size_t k = 0; k < 3; ++k) {
        EXPECT_EQ(log.freedBlocksHolding(keys[k].view()), 0u) << "key " << k;
        EXPECT_EQ(log.freedBlocksHolding(texts[k].view()), 0u) << "base64 key " << k;
    }
}
