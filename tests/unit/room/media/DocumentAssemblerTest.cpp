// SPDX-License-Identifier: GPL-3.0-or-later
// Documents over the data channel: the framing, the type told by the bytes, and every bad input
// refused with its code, discarding the whole transfer.
#include "DocumentAssembler.hpp"
#include "DocumentFrame.hpp"
#include "DocumentFrames.hpp"
#include "DocumentType.hpp"
#include "RoomErrors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::room;

namespace {

using Status = DocumentAssembler::Result::Status;

Bytes pdf(size_t n) {
    std::string s = "%PDF-1.7\n";
    while (s.size() + 7 < n) s += static_cast<char>('a' + s.size() % 26);
    s += "\n%%EOF\n";
    return Bytes(s.begin(), s.end());
}
Bytes png(size_t body) {
    Bytes b{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    for (size_t i = 0; i < body; ++i) b.push_back(static_cast<uint8_t>(i * 13));
    Bytes end{0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    b.insert(b.end(), end.begin(), end.end());
    return b;
}
Bytes jpeg(size_t body) {
    Bytes b{0xff, 0xd8, 0xff, 0xe0};
    for (size_t i = 0; i < body; ++i) b.push_back(static_cast<uint8_t>(i * 7));
    b.push_back(0xff);
    b.push_back(0xd9);
    return b;
}

DocumentFrame startFrame(uint32_t id, DocumentType t, uint64_t size) {
    DocumentFrame f;
    f.kind = DocumentFrame::Kind::Start;
    f.transfer = id;
    f.type = static_cast<uint8_t>(t);
    f.size = size;
    return f;
}

// Every frame of a well-behaved sender.
std::vector<Bytes> frames(uint32_t id, DocumentType t, const Bytes& content, size_t chunk = DocumentFrame::kMaxChunk) {
    return hipaa::test::documentFrames(id, t, content, chunk);
}

DocumentAssembler::Result feed(DocumentAssembler& a, const std::vector<Bytes>& fs) {
    DocumentAssembler::Result r;
    for (const auto& f : fs) {
        r = a.take(f);
        if (r.status != Status::Continue) return r;
    }
    return r;
}

}  // namespace

TEST(DocumentType, ToldByTheBytesNotTheName) {
    EXPECT_TRUE(DocumentTypes::matches(DocumentType::Pdf, pdf(100)));
    EXPECT_TRUE(DocumentTypes::matches(DocumentType::Png, png(50)));
    EXPECT_TRUE(DocumentTypes::matches(DocumentType::Jpeg, jpeg(50)));
    EXPECT_FALSE(DocumentTypes::matches(DocumentType::Png, pdf(100)));
    Bytes truncated = png(50);
    truncated.resize(truncated.size() - 4);  // no IEND trailer
    EXPECT_FALSE(DocumentTypes::matches(DocumentType::Png, truncated));
    Bytes elf{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0};
    EXPECT_EQ(DocumentTypes::sniff(elf), std::nullopt);
    EXPECT_STREQ(DocumentTypes::mime(DocumentType::Jpeg), "image/jpeg");
    EXPECT_EQ(DocumentTypes::fromCode(4), std::nullopt);
}

TEST(DocumentFrame, RoundTripsAndRefusesMalformedFrames) {
    Bytes content = jpeg(10);
    for (const auto& raw : frames(7, DocumentType::Jpeg, content, 4)) {
        auto f = DocumentFrame::parse(raw);
        ASSERT_TRUE(f);
        EXPECT_EQ(f->transfer, 7u);
        EXPECT_EQ(f->encode(), raw);
    }
    Bytes start = startFrame(1, DocumentType::Pdf, 5).encode();
    EXPECT_FALSE(DocumentFrame::parse(ByteView(start.data(), start.size() - 1)));
    start[4] = 9;  // unknown kind
    EXPECT_FALSE(DocumentFrame::parse(start));
    start[0] = 'X';
    EXPECT_FALSE(DocumentFrame::looksLikeFrame(start));
    DocumentFrame big;
    big.kind = DocumentFrame::Kind::Chunk;
    Bytes tooMuch(DocumentFrame::kMaxChunk + 1, 1);
    big.payload = tooMuch;
    EXPECT_FALSE(DocumentFrame::parse(big.encode()));
}

TEST(DocumentAssembler, APdfAPngAndAJpegArriveWholeWithTheirHash) {
    DocumentAssembler a(10u << 20);
    for (auto [t, content] : {std::pair{DocumentType::Pdf, pdf(100000)}, std::pair{DocumentType::Png, png(40000)},
                              std::pair{DocumentType::Jpeg, jpeg(3)}}) {
        auto r = feed(a, frames(1, t, content));
        ASSERT_EQ(r.status, Status::Complete) << r.reason;
        EXPECT_EQ(r.document->type, t);
        EXPECT_EQ(r.document->content, content);
        EXPECT_EQ(r.document->sha256, sha256(content));
        EXPECT_FALSE(a.inFlight());
    }
}

TEST(DocumentAssembler, EveryBadInputIsRefusedWithItsCodeAndNothingIsLeft) {
    auto refused = [](DocumentAssembler& a, const std::vector<Bytes>& fs, int code) {
        auto r = feed(a, fs);
        EXPECT_EQ(r.status, Status::Refused);
        EXPECT_EQ(r.code, code) << r.reason;
        EXPECT_FALSE(a.inFlight());
        EXPECT_EQ(a.received(), 0u);
    };
    DocumentAssembler a(1000);
    // Oversized: declared, and sent beyond what was declared.
    refused(a, frames(1, DocumentType::Pdf, pdf(1001)), room::errc::kDocumentTooLarge);
    auto lying = frames(2, DocumentType::Pdf, pdf(900));
    lying[0] = startFrame(2, DocumentType::Pdf, 500).encode();
    refused(a, lying, room::errc::kDocumentTooLarge);
    // Bytes that are not the declared type: a PDF declared as PNG (refused at its first chunk), an
    // unknown type code, a PNG without its trailer.
    auto renamed = frames(3, DocumentType::Png, pdf(900), 100);
    auto r = feed(a, {renamed[0], renamed[1]});
    EXPECT_EQ(r.code, room::errc::kDocumentType);
    auto unknown = frames(4, DocumentType::Pdf, pdf(100));
    unknown[0][9] = 7;
    refused(a, unknown, room::errc::kDocumentType);
    Bytes cut = png(100);
    cut.resize(cut.size() - 1);
    refused(a, frames(5, DocumentType::Png, cut), room::errc::kDocumentType);
    // A chunk stream that stops half-way: the sender leaves, or starts another, or aborts.
    auto half = frames(6, DocumentType::Jpeg, jpeg(500), 100);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(a.take(half[i]).status, Status::Continue);
    auto gone = a.abandon();
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->code, room::errc::kDocumentIncomplete);
    EXPECT_EQ(a.received(), 0u);
    EXPECT_FALSE(a.abandon());
    refused(a, {half[0], half[1], frames(7, DocumentType::Pdf, pdf(100))[0]}, room::errc::kDocumentIncomplete);
    DocumentFrame abort;
    abort.kind = DocumentFrame::Kind::Abort;
    abort.transfer = 6;
    refused(a, {half[0], half[1], abort.encode()}, room::errc::kDocumentIncomplete);
    // Out of order, a chunk of another transfer, an end before all bytes, a wrong SHA-256.
    refused(a, {half[0], half[2]}, room::errc::kDocumentIncomplete);
    auto other = frames(8, DocumentType::Jpeg, jpeg(500), 100);
    refused(a, {half[0], half[1], other[2]}, room::errc::kDocumentIncomplete);
    refused(a, {half[0], half[1], half.back()}, room::errc::kDocumentIncomplete);
    auto forged = frames(9, DocumentType::Jpeg, jpeg(500), 100);
    forged.back()[20] ^= 1;
    refused(a, forged, room::errc::kDocumentIncomplete);
    // A frame that is not one.
    refused(a, {Bytes{'J', 'H', 'D', '1', 2}}, room::errc::kDocumentMalformed);
    // And after all that, a good one still arrives.
    EXPECT_EQ(feed(a, frames(10, DocumentType::Jpeg, jpeg(500), 100)).status, Status::Complete);
}
