// SPDX-License-Identifier: GPL-3.0-or-later
// Documents in a kept-chat stream: DocumentRecord's start and parts, read back only whole by
// KeptStreamReader (in order, the size and SHA-256 of the start); old message-only streams read as
// before; the transcript export writes each document byte-identical to its own file.
#include "ChatExportWriter.hpp"
#include "TempDir.hpp"
#include "hipaa/ChatRecord.hpp"
#include "hipaa/DocumentRecord.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/KeptStreamReader.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace hipaa;
using namespace hipaa::recorder;
using hipaa::test::TempDir;

namespace {

const std::string kSender = "ps1_" + std::string(32, 'd');

DocumentRecord startOf(const Bytes& content, uint32_t number = 0) {
    DocumentRecord d;
    d.number = number;
    d.sender = kSender;
    d.role = "provider";
    d.sentMs = 1'700'000'000'500;
    d.mime = "image/png";
    d.size = content.size();
    d.sha256 = sha256(content);
    return d;
}

Bytes messageRecord(const std::string& text) { return *ChatRecord{kSender, "patient", 7, text}.encode(); }

struct Collected {
    std::vector<std::string> texts;
    std::vector<KeptDocument> documents;
    KeptStreamReader reader{[this](KeptMessage& m) { texts.push_back(m.text); },
                            [this](KeptDocument& d) { documents.push_back(d); }};
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST(KeptStream, ADocumentSpansRecordsOfAtMost65535BytesAndReadsBackWhole) {
    Bytes content = secureRandomBytes(3 * DocumentRecord::kMaxPart + 10);
    auto records = startOf(content).encode(content);
    ASSERT_TRUE(records);
    ASSERT_EQ(records->size(), 5u);  // the start and four parts
    for (const auto& r : *records) {
        EXPECT_LE(r.size(), ChatRecord::kMaxRecord);
        EXPECT_GE(r.size(), 12u);  // the recorder's smallest record
        EXPECT_FALSE(ChatRecord::decode(r)) << "never mistaken for a message";
    }
    auto start = DocumentRecord::decodeStart(records->front());
    ASSERT_TRUE(start);
    EXPECT_EQ(start->sender, kSender);
    EXPECT_EQ(start->mime, "image/png");
    EXPECT_EQ(start->size, content.size());
    EXPECT_EQ(start->sha256, sha256(content));
    Collected c;
    c.reader.take(messageRecord("before"));
    for (const auto& r : *records) c.reader.take(r);
    c.reader.take(messageRecord("after"));
    EXPECT_FALSE(c.reader.finish());
    EXPECT_EQ(c.texts, (std::vector<std::string>{"before", "after"}));
    ASSERT_EQ(c.documents.size(), 1u);
    EXPECT_EQ(c.documents[0].content, content);
    EXPECT_EQ(c.documents[0].role, "provider");
    EXPECT_EQ(c.documents[0].sentMs, 1'700'000'000'500u);
    // A tiny document: one part, still a record the recorder takes.
    Bytes one{0x42};
    auto tiny = startOf(one, 1).encode(one);
    ASSERT_TRUE(tiny);
    EXPECT_GE(tiny->back().size(), 12u);
    EXPECT_FALSE((startOf(one).encode(Bytes{1, 2})));  // content that is not the declared size
    DocumentRecord noMime = startOf(one);
    noMime.mime.clear();
    EXPECT_FALSE(noMime.encode(one));
}

TEST(KeptStream, PartsOutOfOrderAWrongHashOrAMessageInsideADocumentAreDamage) {
    Bytes content = secureRandomBytes(2 * DocumentRecord::kMaxPart);
    auto records = *startOf(content).encode(content);
    {
        Collected c;  // parts swapped
        c.reader.take(records[0]);
        EXPECT_THROW(c.reader.take(records[2]), Error);
    }
    {
        Collected c;  // a message between the parts
        c.reader.take(records[0]);
        c.reader.take(records[1]);
        EXPECT_THROW(c.reader.take(messageRecord("x")), Error);
    }
    {
        Collected c;  // content altered (the hash in the start no longer matches)
        Bytes bad = records[2];
        bad.back() ^= 1;
        c.reader.take(records[0]);
        c.reader.take(records[1]);
        EXPECT_THROW(c.reader.take(bad), Error);
        EXPECT_TRUE(c.documents.empty());
    }
    {
        Collected c;  // a part without its start; an unknown version
        EXPECT_THROW(c.reader.take(records[1]), Error);
        EXPECT_THROW(c.reader.take(Bytes(20, 9)), Error);
    }
    {
        Collected c;  // the stream ends half-way (an interrupted recording): dropped, never handed on
        c.reader.take(records[0]);
        c.reader.take(records[1]);
        EXPECT_TRUE(c.reader.finish());
        EXPECT_TRUE(c.documents.empty());
    }
    {
        Collected c;  // the second document must carry number 1
        Bytes one{1};
        const std::vector<Bytes> oneRecords = *startOf(one, 0).encode(one);
        c.reader.take(oneRecords.at(0));
        c.reader.take(oneRecords.at(1));
        EXPECT_THROW(c.reader.take(oneRecords.at(0)), Error);
    }
}

TEST(KeptStream, TheExportWritesEachDocumentByteIdenticalAndNamesItInTheTranscript) {
    TempDir dir;
    Bytes content = secureRandomBytes(70000);
    std::vector<std::string> created;
    {
        ChatExportWriter w(dir.file("t.jsonl"), dir.file("t-doc"), &created);
        w.write(messageRecord("see the scan"));
        const std::vector<Bytes> records = *startOf(content).encode(content);
        for (const auto& r : records) w.write(r);
        EXPECT_EQ(w.finish(), 1u);
        EXPECT_EQ(w.documents(), 1u);
    }
    EXPECT_EQ(created, std::vector<std::string>{dir.file("t-doc0.png")});
    std::string got = slurp(dir.file("t-doc0.png"));
    EXPECT_EQ(Bytes(got.begin(), got.end()), content);
    std::string transcript = slurp(dir.file("t.jsonl"));
    EXPECT_NE(transcript.find("\"document\":0"), std::string::npos) << transcript;
    EXPECT_NE(transcript.find(hexEncode(sha256(content))), std::string::npos);
    {
        ChatExportWriter w(dir.file("u.jsonl"));  // nowhere to put documents: refused
        const std::vector<Bytes> records = *startOf(content).encode(content);
        EXPECT_THROW(
            {
                for (const auto& r : records) w.write(r);
            },
            Error);
    }
}
