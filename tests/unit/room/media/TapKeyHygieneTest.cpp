// SPDX-License-Identifier: GPL-3.0-or-later
// The keys of a consult recording leave no copy in freed memory. Recorded in process, the room's tap
// holds no key at all (RecordingSink takes plaintext RTP: no SRTP, no stream key, no answer to wipe);
// what remains is the recorder's data key of each recording and the file keys derived from it
// (HKDF per stream file). The test recovers them afterwards from the files' key slots with the
// keyring and searches every block freed while the room recorded. Own executable: FreedMemoryLog
// replaces operator new/delete and logs every block freed meanwhile.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <thread>

#include "FreePort.hpp"
#include "FreedMemoryLog.hpp"
#include "Hkdf.hpp"
#include "Keyring.hpp"
#include "NullHost.hpp"
#include "RecorderPlugin.hpp"
#include "RecordingTap.hpp"
#include "TempDir.hpp"
#include "UniqueFd.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/Zeroize.hpp"

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::test;

namespace {

// A secret the test learns, kept outside the heap.
struct Known {
    std::array<uint8_t, 32> bytes{};
    size_t size = 0;
    void set(ByteView b) {
        size = std::min(b.size(), bytes.size());
        std::copy(b.begin(), b.begin() + static_cast<long>(size), bytes.begin());
    }
    ByteView view() const { return {bytes.data(), size}; }
};

}  // namespace

TEST(TapKeyHygiene, NeitherTheTapNorTheRecorderLeavesADataOrFileKeyInFreedMemory) {
    TempDir dir;
    NullHost host(true);
    dir.write("keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
    dir.write("sign.key", hexEncode(secureRandomBytes(32)) + "\n");
    int port = freeLoopbackPort();
    if (port > 65000) port = 40000;
    dir.write("recorder.jcfg",
              "general: {\n\trecordings_dir = \"" + dir.file("rec") + "\"\n\texport_dir = \"" + dir.file("exp") +
                  "\"\n\tkeyring = \"" + dir.file("keyring") + "\"\n\tsigning_key = \"" + dir.file("sign.key") +
                  "\"\n\trtp_port_min = " + std::to_string(port) + "\n\trtp_port_max = " + std::to_string(port + 20) +
                  "\n\tchunk_ms = 50\n\tchunk_bytes = 4096\n}\n",
              0644);
    FreedMemoryLog log;
    {
        std::string file = dir.file("recorder.jcfg");
        recorder::RecorderPlugin plugin(Config(JcfgParser::parseFile(file), file), Logger(), host);
        RecordingTap tap(RecordingSink::inProcess(), TapSettings{}, Logger());
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
        EXPECT_EQ(tap.stop().size(), 1u);
        EXPECT_EQ(tap.stats().sent, 100u);
    }
    log.stop();
    ASSERT_FALSE(log.overflowed());

    // The keys, from the files (after the log stopped: the test's own copies are not searched).
    recorder::Keyring ring = recorder::Keyring::fromFile(dir.file("keyring"));
    std::array<Known, 4> known;
    size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.file("rec"))) {
        if (entry.path().extension() != ".jrec") continue;
        Bytes bytes = recorder::readWholeFile(entry.path().string());
        std::string error;
        auto parsed = recorder::RecordingHeader::parse(bytes, error);
        ASSERT_TRUE(parsed) << error;
        auto dataKey = ring.unwrap(parsed->header.slot, parsed->header.fixedHash());
        ASSERT_TRUE(dataKey);
        Bytes fileKey =
            recorder::hkdfSha256(*dataKey, parsed->header.fileSalt, asBytes("janus-hipaa/recording/chunk-key/v1"), 32);
        ASSERT_LT(n + 1, known.size());
        known[n++].set(*dataKey);
        known[n++].set(fileKey);
        zeroize(fileKey.data(), fileKey.size());
    }
    ASSERT_EQ(n, 4u);  // two stream files: one data key (the recording's) twice, two file keys
    EXPECT_EQ(known[0].view().size(), 32u);
    EXPECT_TRUE(std::equal(known[0].bytes.begin(), known[0].bytes.end(), known[2].bytes.begin()));
    for (size_t k = 0; k < n; ++k)
        EXPECT_EQ(log.freedBlocksHolding(known[k].view()), 0u) << (k % 2 ? "file key " : "data key ") << k / 2;
}
