// SPDX-License-Identifier: GPL-3.0-or-later
// A recording whose writes fail (file size limit, full disk) and later succeed again: what reaches the
// disk is ciphertext only, ending after the last chunk that was fully written, and it authenticates.
#include <gtest/gtest.h>
#include <algorithm>
#include <cstdio>
#include <string>

#include "FileSizeLimit.hpp"
#include "Keyring.hpp"
#include "RecordingReader.hpp"
#include "RecordingWriter.hpp"
#include "TempDir.hpp"
#include "UniqueFd.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"

using namespace hipaa;
using namespace hipaa::recorder;
using hipaa::test::FileSizeLimit;
using hipaa::test::TempDir;

namespace {

constexpr std::string_view kMarker = "PHI-MARKER-";

Bytes marked(size_t i) {
    char text[32];
    std::snprintf(text, sizeof text, "%s%06zu", kMarker.data(), i);
    Bytes p(100, static_cast<uint8_t>(i));
    std::copy(text, text + std::char_traits<char>::length(text), p.begin() + 12);
    return p;
}

size_t markersIn(ByteView file) {
    size_t n = 0;
    for (auto it = file.begin(); (it = std::search(it, file.end(), kMarker.begin(), kMarker.end())) != file.end(); ++it)
        ++n;
    return n;
}

RecordingHeader opusHeader() {
    RecordingHeader h;
    h.recordingId = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    h.kind = StreamKind::Audio;
    h.codec = "opus";
    h.mid = "0";
    h.chunkSize = 1 << 16;  // only flush() seals: the test decides when chunks are written
    return h;
}

}  // namespace

TEST(RecordingWriterFailure, WritesThatFailThenSucceedLeaveNoPlaintextAndAnAuthenticPrefix) {
    TempDir dir;
    Keyring ring;
    ring.add(1, Keyring::Type::Kek, secureRandomBytes(32));
    std::string path = dir.file("s.jrec");
    RecordingWriter w(path, opusHeader(), secureRandomBytes(32), ring);
    size_t next = 0;
    auto appendSome = [&](size_t n) {
        for (size_t k = 0; k < n; ++k, ++next) {
            Bytes p = marked(next);
            try {
                w.append(1'700'000'000'000'000ull + next, p);
            } catch (const Error&) {
            }
        }
    };
    appendSome(10);
    w.flush();
    appendSome(10);
    w.flush();
    const size_t good = readWholeFile(path).size();  // header and two chunks

    int failures = 0;
    FileSummary s;
    {
        FileSizeLimit limit(good + 300);  // the next chunk (3 x 110 bytes + tag) does not fit
        for (int round = 0; round < 5; ++round) {
            appendSome(3);
            try {
                w.flush();
            } catch (const Error&) {
                ++failures;
            }
        }
        limit.lift();  // the disk has room again
        appendSome(3);
        try {
            w.flush();
        } catch (const Error&) {
            ++failures;
        }
        try {
            s = w.finish();
        } catch (const Error&) {
            ++failures;
        }
    }
    // Exactly one write failed; from then on the writer wrote nothing (no counter sealed twice).
    EXPECT_EQ(failures, 1);
    EXPECT_TRUE(w.failed());
    EXPECT_EQ(w.error(), EFBIG);
    EXPECT_FALSE(s.complete);
    EXPECT_EQ(s.error, EFBIG);
    EXPECT_EQ(s.chunks, 2u);
    EXPECT_EQ(s.packets, 20u);
    EXPECT_EQ(s.bytes, good);

    Bytes file = readWholeFile(path);
    EXPECT_EQ(markersIn(file), 0u) << "plaintext payload on disk";
    ReadReport r = RecordingReader::read(file, ring);
    EXPECT_TRUE(r.keyValid);
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.chunks, 2u) << r.damage;
    EXPECT_EQ(r.packets, 20u);
    EXPECT_NE(r.damage.find("final chunk missing"), std::string::npos) << r.damage;
    EXPECT_EQ(r.verifiedBytes, r.fileBytes) << "the file ends after the last chunk that was fully written";
    EXPECT_EQ(file.size(), good);
    EXPECT_EQ(r.sha256, s.sha256);
}

TEST(RecordingWriterFailure, AFinalChunkThatCannotBeWrittenLeavesAnIncompleteButAuthenticFile) {
    TempDir dir;
    Keyring ring;
    ring.add(1, Keyring::Type::Kek, secureRandomBytes(32));
    std::string path = dir.file("f.jrec");
    RecordingWriter w(path, opusHeader(), secureRandomBytes(32), ring);
    for (size_t i = 0; i < 10; ++i) ASSERT_TRUE(w.append(i, marked(i)));
    w.flush();
    const size_t good = readWholeFile(path).size();
    for (size_t i = 10; i < 20; ++i) ASSERT_TRUE(w.append(i, marked(i)));
    FileSummary s;
    {
        FileSizeLimit limit(good + 100);
        s = w.finish();  // never throws for I/O
    }
    EXPECT_FALSE(s.complete);
    EXPECT_EQ(s.error, EFBIG);
    EXPECT_EQ(s.chunks, 1u);
    EXPECT_EQ(s.packets, 10u);
    Bytes file = readWholeFile(path);
    EXPECT_EQ(file.size(), good);
    EXPECT_EQ(markersIn(file), 0u);
    ReadReport r = RecordingReader::read(file, ring);
    EXPECT_EQ(r.chunks, 1u);
    EXPECT_EQ(r.verifiedBytes, r.fileBytes);
    EXPECT_EQ(r.sha256, s.sha256);
    EXPECT_THROW(w.finish(), Error);
}
