// SPDX-License-Identifier: GPL-3.0-or-later
// The head file: two checksummed slots written alternately in place; the reader takes the newest
// valid slot, survives a torn slot, and still reads the single-line format of earlier versions.
#include "AuditHeadFile.hpp"
#include "TempDir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

using namespace hipaa;
using namespace hipaa::audit;
using hipaa::test::TempDir;

namespace {

Digest256 digest(uint8_t v) {
    Digest256 d;
    d.fill(v);
    return d;
}
std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void put(const std::string& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

}  // namespace

TEST(AuditHeadFile, SavesInPlaceAlternatingSlotsAndReadsTheNewest) {
    TempDir dir;
    std::string p = dir.file("gw.head");
    EXPECT_FALSE(AuditHeadFile::read(p));
    AuditHeadFile f(p);
    for (int64_t seq = 1; seq <= 5; ++seq) {
        ASSERT_TRUE(f.save(seq, digest(static_cast<uint8_t>(seq))));
        auto h = AuditHeadFile::read(p);
        ASSERT_TRUE(h);
        EXPECT_EQ(h->first, seq);
        EXPECT_EQ(h->second, digest(static_cast<uint8_t>(seq)));
        EXPECT_EQ(slurp(p).size(), 2 * AuditHeadFile::kSlot);
    }
    // Slots: 5 in one, 4 in the other.
    std::string text = slurp(p);
    EXPECT_NE(text.find(AuditHeadFile::slotText(5, digest(5))), std::string::npos);
    EXPECT_NE(text.find(AuditHeadFile::slotText(4, digest(4))), std::string::npos);
}

TEST(AuditHeadFile, ATornSlotLeavesThePreviousHead) {
    TempDir dir;
    std::string p = dir.file("gw.head");
    {
        AuditHeadFile f(p);
        ASSERT_TRUE(f.save(10, digest(10)));
        ASSERT_TRUE(f.save(11, digest(11)));
    }
    std::string text = slurp(p);
    size_t at = text.find(AuditHeadFile::slotText(11, digest(11)));
    ASSERT_NE(at, std::string::npos);
    text[at + 40] = text[at + 40] == 'a' ? 'b' : 'a';  // a torn write inside the hash of seq 11
    put(p, text);
    auto h = AuditHeadFile::read(p);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->first, 10);
    EXPECT_EQ(h->second, digest(10));
    // A new process overwrites the damaged slot first, keeping 10 until 12 is durable.
    AuditHeadFile f(p);
    ASSERT_TRUE(f.save(12, digest(12)));
    EXPECT_NE(slurp(p).find(AuditHeadFile::slotText(10, digest(10))), std::string::npos);
    EXPECT_EQ(AuditHeadFile::read(p)->first, 12);
    ASSERT_TRUE(f.save(13, digest(13)));
    EXPECT_NE(slurp(p).find(AuditHeadFile::slotText(12, digest(12))), std::string::npos);
    EXPECT_EQ(AuditHeadFile::read(p)->first, 13);
}

TEST(AuditHeadFile, ReadsTheEarlierSingleLineFormatAndReplacesIt) {
    TempDir dir;
    std::string p = dir.file("gw.head");
    put(p, "42 " + std::string(64, 'a') + "\n");
    auto h = AuditHeadFile::read(p);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->first, 42);
    EXPECT_EQ(h->second, digest(0xaa));
    AuditHeadFile f(p);
    ASSERT_TRUE(f.save(43, digest(43)));
    EXPECT_EQ(slurp(p).size(), 2 * AuditHeadFile::kSlot);
    EXPECT_EQ(AuditHeadFile::read(p)->first, 43);
    // Garbage is no head (the spool and the database decide), never an exception.
    put(p, "not a head file");
    EXPECT_FALSE(AuditHeadFile::read(p));
    put(p, "99999999999999999999999 " + std::string(64, 'a') + "\n");
    EXPECT_FALSE(AuditHeadFile::read(p));
}
