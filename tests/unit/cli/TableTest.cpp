// SPDX-License-Identifier: GPL-3.0-or-later
#include "FieldList.hpp"
#include "Table.hpp"

#include "hipaa/Json.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace hipaa;
using namespace hipaa::cli;

TEST(Table, PadsEachColumnToItsWidestCell) {
    Table t({"ROOM", "CLASS", "WAITING"});
    t.add({"r_1", "default", "0"});
    t.add({"consult-long-name", "vp9"});  // a short row: padded
    std::ostringstream out;
    t.print(out);
    EXPECT_EQ(out.str(),
              "ROOM               CLASS    WAITING\n"
              "r_1                default  0\n"
              "consult-long-name  vp9\n");
    EXPECT_EQ(t.rows(), 2u);
    EXPECT_THROW(t.add({"a", "b", "c", "d"}), std::logic_error);
}

TEST(Table, ControlCharactersFromAnAnswerNeverReachTheTerminal) {
    // ESC (a terminal escape), a C1 CSI (U+009B), DEL, an invalid UTF-8 byte; letters stay.
    EXPECT_EQ(Table::printable("a\x1b[2Jb"), "a\\x1b[2Jb");
    EXPECT_EQ(Table::printable("x\xc2\x9b"
                               "31m"),
              "x\\xc2\\x9b31m");
    EXPECT_EQ(Table::printable("\x7f\n\t"), "\\x7f\\x0a\\x09");
    EXPECT_EQ(Table::printable("\xff"
                               "ok"),
              "\\xffok");
    EXPECT_EQ(Table::printable("Zoë 日本"), "Zoë 日本");
    Table t({"A", "B"});
    t.add({"\x1b]0;pwned\x07", "é"});
    std::ostringstream out;
    t.print(out);
    EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
    EXPECT_EQ(out.str(), "A" + std::string(17, ' ') + "B\n\\x1b]0;pwned\\x07  é\n");  // widths count code points
}

TEST(FieldList, PrintsNestedAnswersOneFieldPerLineWithTimesInUtc) {
    JsonPtr a = jsonParse(R"({"recording":"ab","hold":true,"expires_ms":1767225600000,"policy":null,
        "verification":{"ok":false,"files":[{"file":"0.jrec","ok":true}],"tags":["a","b"]},"empty":{}})");
    std::ostringstream out;
    FieldList::print(out, a.get());
    EXPECT_EQ(out.str(),
              "recording: ab\n"
              "hold: yes\n"
              "expires_ms: 1767225600000 (2026-01-01T00:00:00Z)\n"
              "policy: \n"
              "verification.ok: no\n"
              "verification.files[0].file: 0.jrec\n"
              "verification.files[0].ok: yes\n"
              "verification.tags: a, b\n"
              "empty: {}\n");
    EXPECT_EQ(FieldList::text(a.get(), "missing"), "");
    EXPECT_EQ(FieldList::utc(0), "1970-01-01T00:00:00Z");
}
