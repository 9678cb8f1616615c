// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

TEST(JcfgParser, ParsesJanusStyleConfig) {
    auto j = JcfgParser::parse(R"(
# comment
general: {
    name = "room"   // trailing comment
    port = 8088;
    hex = 0x10L
    ratio = 1.5
    on = true, off = FALSE
    /* block
       comment */
    list = ["a", "b",]
    tuple = ( 1, "two" )
    joined = "ab" "cd"
    esc = "q\"\\\n\x41"
}
room-1234: { description = "x" }
)");
    const json_t* g = json_object_get(j.get(), "general");
    EXPECT_STREQ(json_string_value(json_object_get(g, "name")), "room");
    EXPECT_EQ(json_integer_value(json_object_get(g, "port")), 8088);
    EXPECT_EQ(json_integer_value(json_object_get(g, "hex")), 16);
    EXPECT_DOUBLE_EQ(json_real_value(json_object_get(g, "ratio")), 1.5);
    EXPECT_TRUE(json_is_true(json_object_get(g, "on")));
    EXPECT_TRUE(json_is_false(json_object_get(g, "off")));
    EXPECT_EQ(json_array_size(json_object_get(g, "list")), 2u);
    EXPECT_EQ(json_array_size(json_object_get(g, "tuple")), 2u);
    EXPECT_STREQ(json_string_value(json_object_get(g, "joined")), "abcd");
    EXPECT_STREQ(json_string_value(json_object_get(g, "esc")), "q\"\\\nA");
    EXPECT_TRUE(json_object_get(j.get(), "room-1234"));
}

TEST(JcfgParser, ParsesEveryStockJanusConfig) {
    // The sample configs Debian ships must all parse (our parser reads the same format Janus does).
    for (const char* f :
         {"/etc/janus/janus.jcfg", "/etc/janus/janus.plugin.videoroom.jcfg", "/etc/janus/janus.plugin.audiobridge.jcfg",
          "/etc/janus/janus.transport.http.jcfg", "/etc/janus/janus.eventhandler.sampleevh.jcfg"}) {
        EXPECT_NO_THROW(JcfgParser::parseFile(f)) << f;
    }
}

TEST(JcfgParser, ParsesOurSampleConfigs) {
    for (const char* f : {"janus.plugin.hipaa.room", "janus.plugin.hipaa.recorder", "janus.eventhandler.hipaa.audit",
                          "janus.eventhandler.hipaa.fhir"}) {
        EXPECT_NO_THROW(JcfgParser::parseFile(std::string(HIPAA_SOURCE_DIR) + "/conf/" + f + ".jcfg.sample")) << f;
    }
}

TEST(JcfgParser, RejectsMalformedInputWithLineNumber) {
    struct Case {
        const char* text;
        const char* expect;
    } cases[] = {
        {"general: {\n a = \n}", ":3: expected a value"},
        {"general: {\n a = \"x\n\"}", ":2: newline in string"},
        {"general: { a = 1 ", "missing '}'"},
        {"general: { a = 1 a = 2 }", "duplicate setting a"},
        {"general { a = 1 }", "expected '=' or ':'"},
        {"/* open", "unterminated comment"},
        {"a = [1 2]", "expected ','"},
        {"a = \"\\q\"", "unknown escape"},
        {"@include \"x\"", "@include is not supported"},
        {"a = 12abc", "invalid value"},
        {"1a = 1", "must start with a letter"},
    };
    for (const auto& c : cases) {
        try {
            JcfgParser::parse(c.text, "t.jcfg");
            ADD_FAILURE() << "accepted: " << c.text;
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).rfind("t.jcfg:", 0), 0u) << e.what();
        }
    }
}

TEST(JcfgParser, BoundsNesting) {
    std::string deep = "a = ";
    for (int i = 0; i < 100; ++i) deep += "[";
    EXPECT_THROW(JcfgParser::parse(deep), ConfigError);
}

TEST(JcfgParser, MissingFileNamesThePath) {
    try {
        JcfgParser::parseFile("/nonexistent/x.jcfg");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/x.jcfg"), std::string::npos);
    }
}
