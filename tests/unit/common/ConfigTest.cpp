// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Config.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

namespace {
Config make(const char* text) { return Config(JcfgParser::parse(text), "c.jcfg"); }

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Config, TypedValuesAndDefaults) {
    Config c = make(R"(general: { s = "x" n = 5 ns = "7" b = true bs = "no" l = ["a","b"] ls = "c, d" })");
    EXPECT_EQ(c.string("general.s"), "x");
    EXPECT_EQ(c.string("general.missing", "def"), "def");
    EXPECT_EQ(c.integer("general.n", std::nullopt, 0, 10), 5);
    EXPECT_EQ(c.integer("general.ns", std::nullopt, 0, 10), 7);
    EXPECT_TRUE(c.boolean("general.b"));
    EXPECT_FALSE(c.boolean("general.bs"));
    EXPECT_EQ(c.stringList("general.l"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(c.stringList("general.ls"), (std::vector<std::string>{"c", "d"}));
    EXPECT_NO_THROW(c.finish());
}

TEST(Config, ErrorsNameTheKeyNotTheValue) {
    Config c = make(R"(general: { n = "secret-looking" port = 70000 b = "maybe" })");
    std::string e1 = errorOf([&] { c.integer("general.n", 1, 0, 10); });
    EXPECT_NE(e1.find("general.n"), std::string::npos);
    EXPECT_EQ(e1.find("secret-looking"), std::string::npos);
    EXPECT_NE(
        errorOf([&] { c.integer("general.port", 1, 1, 65535); }).find("general.port: must be between 1 and 65535"),
        std::string::npos);
    EXPECT_NE(errorOf([&] { c.boolean("general.b"); }).find("general.b"), std::string::npos);
    EXPECT_NE(errorOf([&] { c.string("general.required"); }).find("general.required: required"), std::string::npos);
}

TEST(Config, UnknownKeysFailFinish) {
    Config c = make(R"(general: { known = 1 typo_key = 2 } other: { x = 1 })");
    c.integer("general.known", 0, 0, 5);
    EXPECT_NE(errorOf([&] { c.finish(); }).find("general.typo_key: unknown setting"), std::string::npos);
    c.integer("general.typo_key", 0, 0, 5);
    EXPECT_NE(errorOf([&] { c.finish(); }).find("other.x"), std::string::npos);
    c.category("other");
    EXPECT_NO_THROW(c.finish());
}

TEST(Config, EffectiveConfigRedactsSecrets) {
    Config c = make(R"(general: { password = "hunter2" path = "/k" })");
    EXPECT_EQ(c.secret("general.password"), "hunter2");
    c.secretPath("general.path");
    c.integer("general.defaulted", 42, 0, 100);
    std::string eff = jsonDump(c.effective().get());
    EXPECT_EQ(eff.find("hunter2"), std::string::npos);
    EXPECT_NE(eff.find("<redacted>"), std::string::npos);
    EXPECT_NE(eff.find("\"defaulted\":42"), std::string::npos);
    EXPECT_NE(eff.find("/k"), std::string::npos);
}

TEST(Config, CategoryMustBeAGroup) {
    Config c = make("general = 5");
    EXPECT_THROW(c.string("general.x", "d"), ConfigError);
}
