// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/ClusterConfig.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/Json.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

namespace {
Config clusterConfig(const char* text) { return Config(JcfgParser::parse(text), "c.jcfg"); }

std::string errorOf(const char* text, bool withUrl) {
    try {
        Config c = clusterConfig(text);
        ClusterConfig::read(c, withUrl);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(ClusterConfig, AbsentMeansThisInstanceAlone) {
    Config c = clusterConfig("general: { }");
    ClusterConfig cluster = ClusterConfig::read(c, true);
    EXPECT_FALSE(cluster.shared());
    EXPECT_EQ(cluster.instanceId, ClusterConfig::defaultInstanceId());
    EXPECT_TRUE(cluster.publicUrl.empty());
}

TEST(ClusterConfig, SharedNeedsAPublicUrlForTheRoomAndRedactsTheConninfo) {
    const char* text = R"(cluster: { conninfo = "host=db password=hunter2" instance_id = "janus-a" })";
    EXPECT_NE(errorOf(text, true).find("cluster.public_url: required"), std::string::npos);
    EXPECT_EQ(errorOf(text, false), "");
    Config c = clusterConfig(R"(cluster: { conninfo = "host=db password=hunter2" instance_id = "janus-a"
                                  public_url = "https://a.example.org/janus" })");
    ClusterConfig cluster = ClusterConfig::read(c, true);
    EXPECT_TRUE(cluster.shared());
    EXPECT_EQ(cluster.instanceId, "janus-a");
    EXPECT_EQ(cluster.publicUrl, "https://a.example.org/janus");
    std::string shown = jsonDump(c.effective().get());
    EXPECT_EQ(shown.find("hunter2"), std::string::npos) << shown;
}

TEST(ClusterConfig, RefusesBadInstanceIdsAndUrls) {
    EXPECT_NE(errorOf(R"(cluster: { instance_id = "a b" })", false).find("cluster.instance_id"), std::string::npos);
    EXPECT_NE(errorOf(R"(cluster: { instance_id = "" })", false).find("cluster.instance_id"), std::string::npos);
    EXPECT_NE(errorOf(R"(cluster: { instance_id = "a/b" })", false).find("cluster.instance_id"), std::string::npos);
    EXPECT_NE(errorOf(R"(cluster: { public_url = "ftp://x" })", true).find("cluster.public_url"), std::string::npos);
    EXPECT_NE(errorOf(R"(cluster: { public_url = "https://" })", true).find("cluster.public_url"), std::string::npos);
    EXPECT_EQ(errorOf(R"(cluster: { public_url = "wss://b.example.org:8989" })", true), "");
}
