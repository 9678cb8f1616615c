// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliArgs.hpp"
#include "UsageError.hpp"

#include <gtest/gtest.h>

using namespace hipaa::cli;

TEST(CliArgs, SplitsWordsAndOptionsInAnyOrder) {
    CliArgs a = CliArgs::parse({"--json", "recordings", "hold", "--reason=case 17", "abc", "--yes"});
    EXPECT_EQ(a.words(), (std::vector<std::string>{"recordings", "hold", "abc"}));
    EXPECT_TRUE(a.has("--json"));
    EXPECT_TRUE(a.has("--yes"));
    EXPECT_EQ(a.value("--reason").value_or(""), "case 17");
    EXPECT_EQ(a.word(3), "");
    CliArgs b = CliArgs::parse({"revoke", "--sub", "--weird-sub", "--", "--json"});
    EXPECT_EQ(b.value("--sub").value_or(""), "--weird-sub");  // a value may start with dashes
    EXPECT_FALSE(b.has("--json"));                            // after "--": a word
    EXPECT_EQ(b.word(1), "--json");
    EXPECT_TRUE(CliArgs::parse({"rooms", "-h"}).has("--help"));
    EXPECT_EQ(CliArgs::parse({"revoke", "--sub", "-"}).value("--sub").value_or(""), "-");
}

TEST(CliArgs, RefusesUnknownRepeatedAndMalformedOptions) {
    EXPECT_THROW(CliArgs::parse({"status", "--jsno"}), UsageError);
    EXPECT_THROW(CliArgs::parse({"status", "-x"}), UsageError);
    EXPECT_THROW(CliArgs::parse({"status", "--json=yes"}), UsageError);  // a flag takes no value
    EXPECT_THROW(CliArgs::parse({"revoke", "--sub"}), UsageError);       // value missing
    EXPECT_THROW(CliArgs::parse({"revoke", "--sub", "a", "--sub", "b"}), UsageError);
    // The secret never comes from argv: there is no option for it.
    EXPECT_THROW(CliArgs::parse({"status", "--secret", "s3cret"}), UsageError);
    EXPECT_THROW(CliArgs::parse({"status", "--admin-secret=s3cret"}), UsageError);
    try {
        CliArgs::parse({"status", "--jsno"});
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("--jsno"), std::string::npos) << e.what();
    }
}

TEST(CliArgs, IntegersAreCheckedAgainstTheirBounds) {
    CliArgs a = CliArgs::parse({"revoke", "--ttl", "600", "--limit", "12x", "--timeout", "0"});
    EXPECT_EQ(a.integer("--ttl", 1, 3600).value_or(0), 600);
    EXPECT_FALSE(a.integer("--after-seq", 0, 10).has_value());
    EXPECT_THROW(a.integer("--limit", 1, 1000), UsageError);
    EXPECT_THROW(a.integer("--timeout", 1, 3600), UsageError);
    EXPECT_THROW(CliArgs::toInteger("id", "99999999999999999999", 1, INT64_MAX), UsageError);
    EXPECT_EQ(CliArgs::toInteger("id", "7", 1, INT64_MAX), 7);
}

TEST(CliArgs, AllowOnlyAcceptsTheGlobalOptionsAndNamesAStrayOne) {
    CliArgs a = CliArgs::parse({"rooms", "--json", "--timeout", "5", "--admin-url", "http://127.0.0.1:1/admin"});
    EXPECT_NO_THROW(a.allowOnly({}));
    CliArgs b = CliArgs::parse({"rooms", "--ttl", "5"});
    try {
        b.allowOnly({"--sub"});
        FAIL() << "--ttl accepted";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("--ttl"), std::string::npos);
    }
}
