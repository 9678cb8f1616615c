// SPDX-License-Identifier: GPL-3.0-or-later
// RecordingReader::readFile streams a file from disk one chunk at a time: for every intact, truncated,
// tampered or extended file it must report exactly what the in-memory reader reports, and hand the
// sink the same packets.
#include <fcntl.h>
#include <gtest/gtest.h>

#include "Keyring.hpp"
#include "RecordingReader.hpp"
#include "RecordingWriter.hpp"
#include "TempDir.hpp"
#include "UniqueFd.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/SecureRandom.hpp"

using namespace hipaa;
using namespace hipaa::recorder;
using hipaa::test::TempDir;

namespace {

struct Read {
    ReadReport report;
    std::vector<std::pair<uint64_t, Bytes>> packets;
};

Read fromMemory(ByteView file, const Keyring& ring) {
    Read r;
    r.report = RecordingReader::read(
        file, ring, [&](uint64_t t, ByteView p) { r.packets.emplace_back(t, Bytes(p.begin(), p.end())); });
    return r;
}

Read fromDisk(const std::string& path, const Keyring& ring) {
    Read r;
    r.report = RecordingReader::readFile(
        path, ring, [&](uint64_t t, ByteView p) { r.packets.emplace_back(t, Bytes(p.begin(), p.end())); });
    return r;
}

void expectSame(const Read& disk, const Read& memory, const std::string& what) {
    const ReadReport &d = disk.report, &m = memory.report;
    EXPECT_EQ(d.headerValid, m.headerValid) << what;
    EXPECT_EQ(d.keyValid, m.keyValid) << what;
    EXPECT_EQ(d.complete, m.complete) << what;
    EXPECT_EQ(d.chunks, m.chunks) << what;
    EXPECT_EQ(d.packets, m.packets) << what;
    EXPECT_EQ(d.verifiedBytes, m.verifiedBytes) << what;
    EXPECT_EQ(d.fileBytes, m.fileBytes) << what;
    EXPECT_EQ(hexEncode(d.sha256), hexEncode(m.sha256)) << what;
    EXPECT_EQ(d.damage, m.damage) << what;
    EXPECT_EQ(disk.packets, memory.packets) << what;
}

}  // namespace

TEST(RecordingReader, StreamingFromDiskReportsExactlyWhatTheInMemoryReaderReports) {
    TempDir dir;
    Keyring ring;
    ring.add(1, Keyring::Type::Kek, secureRandomBytes(32));
    RecordingHeader h;
    h.recordingId = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
    h.kind = StreamKind::Video;
    h.codec = "vp8";
    h.mid = "1";
    h.chunkSize = 1024;
    std::string path = dir.file("v.jrec");
    {
        RecordingWriter w(path, h, secureRandomBytes(32), ring);
        for (uint16_t i = 0; i < 300; ++i)
            w.append(1'800'000'000'000'000ull + i * 33'000, Bytes(200 + i % 900, static_cast<uint8_t>(i)));
        w.finish();
    }
    Bytes file = readWholeFile(path);
    ASSERT_GT(file.size(), 100'000u);
    Read intact = fromDisk(path, ring);
    EXPECT_TRUE(intact.report.complete) << intact.report.damage;
    EXPECT_EQ(intact.packets.size(), 300u);
    expectSame(intact, fromMemory(file, ring), "intact");

    auto variant = [&](const Bytes& bytes, const std::string& what) {
        std::string p = dir.file("variant.jrec");
        ::unlink(p.c_str());
        UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
        writeAll(fd.get(), bytes, "variant");
        expectSame(fromDisk(p, ring), fromMemory(bytes, ring), what);
    };
    for (size_t len : {size_t{0}, size_t{10}, size_t{80}, size_t{120}, size_t{300}, file.size() / 3, file.size() - 17,
                       file.size() - 1})
        variant(Bytes(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(len)),
                "truncated to " + std::to_string(len));
    for (size_t at : {size_t{5}, size_t{100}, size_t{2000}, file.size() / 2, file.size() - 3}) {
        Bytes t = file;
        t[at] ^= 0x40;
        variant(t, "bit flip at " + std::to_string(at));
    }
    Bytes longer = file;
    longer.insert(longer.end(), 70'000, 0x55);  // more than one read of the trailing data
    variant(longer, "appended bytes");
    Keyring other;
    other.add(1, Keyring::Type::Kek, secureRandomBytes(32));
    expectSame(fromDisk(path, other), fromMemory(file, other), "wrong key");
}
