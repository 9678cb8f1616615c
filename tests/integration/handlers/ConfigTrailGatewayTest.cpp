// SPDX-License-Identifier: GPL-3.0-or-later
// The config change trail through the real Janus and PostgreSQL: each of the four plugins records its
// config at start (action config.loaded), and after one recorder key changed between two starts the
// trail names that key, and neither the old nor the new value.
#include "AuditFixture.hpp"
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::test;

namespace {

const char* kRecorder = "janus.plugin.hipaa.recorder";

void startAndSettle(JanusProcess& janus) {
    janus.start();
    JanusClient client(janus);
    JsonPtr s = waitStats(client, [](const json_t* st) { return settled(st) && statInt(st, "head_seq") >= 4; });
    ASSERT_TRUE(settled(s.get())) << jsonDump(s.get());
}

}  // namespace

TEST(ConfigTrailGateway, ARestartAfterOneRecorderKeyChangedNamesThatKeyAndNoValue) {
    TestDatabase db;
    JanusProcess janus;
    setAuditKey(janus, "conninfo", "\"" + db.loginConninfo("janus_audit_writer") + "\"");
    setAuditKey(janus, "instance_id", "\"it-config\"");
    startAndSettle(janus);
    ASSERT_EQ(janus.stop(), 0);

    std::string file = std::string(kRecorder) + ".jcfg";
    std::string text = readFile(janus.configFile(file));
    size_t at = text.find("export_ttl = \"1h\"");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 17, "export_ttl = \"97m\"");
    janus.writeConfig(file, text);
    startAndSettle(janus);

    PgConn conn = db.connect();
    EXPECT_EQ(scalar(conn, "SELECT count(DISTINCT plugin) FROM audit_record WHERE action = 'config.loaded'"), "4")
        << "room, recorder, audit and FHIR each record their config";
    PgResult r = conn.exec("SELECT event::text FROM audit_record WHERE action = 'config.loaded' AND plugin = '" +
                           std::string(kRecorder) + "' ORDER BY event_time");
    ASSERT_EQ(r.rows(), 2);
    JsonPtr first = jsonParse(r.value(0, 0)), second = jsonParse(r.value(1, 0));
    const json_t* before = json_object_get(first.get(), "object");
    const json_t* after = json_object_get(second.get(), "object");
    EXPECT_EQ(jsonString(before, "state"), "new") << r.value(0, 0);
    EXPECT_EQ(jsonString(after, "state"), "ok") << r.value(1, 0);
    EXPECT_EQ(jsonString(after, "previous_digest"), jsonString(before, "digest"));
    EXPECT_EQ(jsonDump(json_object_get(after, "changed")), R"(["general.export_ttl"])");
    EXPECT_EQ(json_array_size(json_object_get(after, "added")) + json_array_size(json_object_get(after, "removed")),
              0u);
    std::string all = db.dump();
    EXPECT_EQ(all.find("97m"), std::string::npos) << "no value in the trail";
    EXPECT_EQ(std::string(r.value(0, 0)).find("\"1h\""), std::string::npos);
    EXPECT_EQ(janus.stop(), 0);
}
