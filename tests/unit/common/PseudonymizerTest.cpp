// SPDX-License-Identifier: GPL-3.0-or-later
#include "TempDir.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

TEST(Pseudonymizer, StableKeyedAndUnambiguous) {
    Pseudonymizer a(Bytes(32, 1)), b(Bytes(32, 2));
    std::string p = a.participant("https://idp.example", "patient-42");
    EXPECT_EQ(p.rfind("ps1_", 0), 0u);
    EXPECT_EQ(p.size(), 4u + 32u);
    EXPECT_EQ(p, a.participant("https://idp.example", "patient-42"));
    EXPECT_NE(p, b.participant("https://idp.example", "patient-42"));  // keyed
    EXPECT_NE(p, a.participant("https://idp.example", "patient-43"));
    // iss/sub boundary is unambiguous: ("ab","c") != ("a","bc")
    EXPECT_NE(a.participant("ab", "c"), a.participant("a", "bc"));
    EXPECT_NE(a.participant("x", "y"), a.value("display", std::string("x\0y", 3)));
    EXPECT_EQ(p.find("patient"), std::string::npos);
}

TEST(Pseudonymizer, KeyRules) {
    EXPECT_THROW(Pseudonymizer(Bytes(16, 1)), ConfigError);
    test::TempDir d;
    EXPECT_THROW(Pseudonymizer::fromKeyFile(d.write("k", std::string(64, 'a'), 0644)), ConfigError);
    Pseudonymizer fromFile = Pseudonymizer::fromKeyFile(d.write("k2", std::string(64, 'a'), 0600));
    EXPECT_EQ(fromFile.participant("i", "s"), Pseudonymizer(Bytes(32, 0xaa)).participant("i", "s"));
}
