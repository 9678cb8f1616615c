// SPDX-License-Identifier: GPL-3.0-or-later
// The chat stream kind: records, header rules, sealing and the transcript export.
#include "ChatExportWriter.hpp"
#include "Keyring.hpp"
#include "RecordingReader.hpp"
#include "RecordingWriter.hpp"
#include "TempDir.hpp"
#include "hipaa/ChatRecord.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace hipaa;
using namespace hipaa::recorder;
using hipaa::test::TempDir;

namespace {

const std::string kSender = "ps1_" + std::string(32, 'c');

ChatRecord message(std::string text, uint64_t ms = 1'700'000'000'123) {
    return {kSender, "patient", ms, std::move(text)};
}

RecordingHeader chatHeader() {
    RecordingHeader h;
    h.recordingId = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
    h.kind = StreamKind::Chat;
    h.codec = "chat";
    h.mid = "chat";
    h.chunkSize = 256;
    return h;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST(ChatRecord, RoundTripsEveryFieldAndRefusesWhatDoesNotFit) {
    ChatRecord m = message(std::string("dose: 5 mg\0twice", 16));
    auto bytes = m.encode();
    ASSERT_TRUE(bytes);
    EXPECT_EQ(ChatRecord::decode(*bytes), m);
    EXPECT_FALSE((ChatRecord{"", "patient", 1, "x"}.encode()));
    EXPECT_FALSE((ChatRecord{kSender, "", 1, "x"}.encode()));
    EXPECT_FALSE((ChatRecord{kSender, std::string(33, 'r'), 1, "x"}.encode()));
    EXPECT_FALSE(message(std::string(ChatRecord::kMaxRecord, 'x')).encode());  // over a record's limit
    EXPECT_TRUE(message(std::string(ChatRecord::kMaxRecord - 11 - kSender.size() - 7, 'x')).encode());
    Bytes bad = *bytes;
    bad[0] = 2;  // unknown version
    EXPECT_FALSE(ChatRecord::decode(bad));
    for (size_t n = 0; n < 11 + kSender.size() + 7; ++n)  // every truncation inside the fixed fields
        EXPECT_FALSE(ChatRecord::decode(ByteView(bytes->data(), n))) << n;
}

TEST(ChatStream, HeaderKindThreeOnlyWithTheChatCodec) {
    RecordingHeader h = chatHeader();
    Bytes fixed = h.fixedBytes();
    EXPECT_EQ(fixed[28], 3);
    h.codec = "opus";
    EXPECT_THROW(h.fixedBytes(), Error);
    h = chatHeader();
    h.kind = StreamKind::Audio;
    EXPECT_THROW(h.fixedBytes(), Error);
}

TEST(ChatStream, MessagesAreSealedAsTheyArriveAndReadBackExactly) {
    TempDir dir;
    Keyring ring;
    ring.add(1, Keyring::Type::Kek, secureRandomBytes(32));
    Bytes key = secureRandomBytes(32);
    std::vector<ChatRecord> sent;
    const std::string path = dir.file("c.jrec");
    {
        RecordingWriter w(path, chatHeader(), key, ring);
        for (int i = 0; i < 20; ++i) {
            sent.push_back(message("CANARY-chat-" + std::to_string(i) + " blood pressure 120/80", 1000 + i));
            ASSERT_TRUE(w.append(static_cast<uint64_t>(i), *sent.back().encode()));
        }
        EXPECT_TRUE(w.finish().complete);
    }
    std::string disk = slurp(path);
    EXPECT_EQ(disk.find("CANARY"), std::string::npos);
    EXPECT_EQ(disk.find(kSender), std::string::npos);  // who wrote what is sealed too
    std::vector<ChatRecord> got;
    ReadReport r =
        RecordingReader::readFile(path, ring, [&](uint64_t, ByteView rec) { got.push_back(*ChatRecord::decode(rec)); });
    EXPECT_TRUE(r.complete) << r.damage;
    EXPECT_EQ(r.header.kind, StreamKind::Chat);
    EXPECT_EQ(got, sent);
}

TEST(ChatStream, TranscriptExportKeepsTheTextByteForByte) {
    TempDir dir;
    const std::string path = dir.file("t.jsonl");
    {
        ChatExportWriter w(path);
        w.write(*message("hello \"doctor\"\n", 5).encode());
        w.write(*message(std::string("\xff\xfe raw", 6), 6).encode());  // not UTF-8
        EXPECT_THROW(w.write(Bytes{1, 2, 3}), Error);
        EXPECT_EQ(w.finish(), 2u);
    }
    EXPECT_EQ(slurp(path), "{\"role\":\"patient\",\"sender\":\"" + kSender +
                               "\",\"sent_ms\":5,\"text\":\"hello \\\"doctor\\\"\\n\"}\n"
                               "{\"role\":\"patient\",\"sender\":\"" +
                               kSender + "\",\"sent_ms\":6,\"text_base64\":\"" +
                               base64Encode(asBytes(std::string("\xff\xfe raw", 6))) + "\"}\n");
    EXPECT_THROW(ChatExportWriter{path}, Error);  // never overwrites
}
