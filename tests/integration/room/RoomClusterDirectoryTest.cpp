// SPDX-License-Identifier: GPL-3.0-or-later
// Two real Janus instances of one clinic sharing one database (cluster.conninfo): a room lives on
// one instance; the other refuses to create it (471), redirects joins to it (469 with its URL) and
// lists it; a visit's end or a clean stop frees the id; a killed instance's rooms are ended `abnormal`, by itself when
// it starts again, or by the other once its heartbeat is older than cluster.dead_after; both leave an audit record.
#include "AuditFixture.hpp"
#include "ClientTab.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "Shell.hpp"
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRoomPlugin = "janus.plugin.hipaa.room";
constexpr int kDeadAfterS = 3;

class RoomClusterDirectory : public ::testing::Test {
protected:
    void SetUp() override {
        // B checks tokens with A's keys, as a clinic's instances do.
        for (const char* key : {"keys/dev-es256.pem", "keys/dev-es256.pub.pem", "keys/dob.key", "keys/pseudonym.key"})
            b.writeConfig(key, readFile(a.configFile(key)), 0600);
        configure(a, "it-a");
        configure(b, "it-b");
    }
    void TearDown() override {
        for (JanusProcess* j : {&a, &b}) {
            if (j->running()) {
                EXPECT_EQ(j->stop(), 0);
            }
        }
    }
    void configure(JanusProcess& j, const std::string& id) {
        std::string cfg = readFile(j.configFile("janus.plugin.hipaa.room.jcfg"));
        cfg += "\ncluster: {\n\tconninfo = \"" + login + "\"\n\tinstance_id = \"" + id + "\"\n\tpublic_url = \"" +
               j.httpUrl() + "\"\n\tdead_after = " + std::to_string(kDeadAfterS) + "\n}\n";
        j.writeConfig("janus.plugin.hipaa.room.jcfg", cfg, 0600);
        setAuditKey(j, "conninfo", "\"" + db.conninfo() + "\"");
        setAuditKey(j, "instance_id", "\"" + id + "\"");
    }
    static JsonPtr admin(JanusProcess& j, const std::string& body) {
        return JanusClient(j).messagePlugin(kRoomPlugin, J(body).get());
    }
    // The directory row of `room` as `j` lists it (null when absent).
    static JsonPtr row(JanusProcess& j, const std::string& room) {
        JsonPtr l = admin(j, R"({"request":"directory","limit":1000})");
        size_t i;
        json_t* r;
        json_array_foreach(json_object_get(l.get(), "rooms"), i, r) {
            if (jsonString(r, "room").value_or("") == room) return jsonRetain(r);
        }
        return nullptr;
    }
    std::string mint(const std::string& room, const std::string& role, const std::string& sub) {
        return Shell::output(std::string("python3 ") + HIPAA_SOURCE_DIR + "/scripts/mint-token --key '" +
                             a.configFile("keys/dev-es256.pem") + "' --room " + room + " --role " + role + " --sub " +
                             sub);
    }
    int64_t auditRecords(const std::string& instance, const std::string& room, const std::string& detectedBy,
                         std::chrono::seconds within) {
        PgConn c = db.connect();
        auto end = std::chrono::steady_clock::now() + within;
        int64_t n = 0;
        while ((n = std::stoll(scalar(c, "SELECT count(*) FROM audit_record WHERE instance_id = '" + instance +
                                             "' AND room = '" + room +
                                             "' AND action = 'plugin.hipaa.room.visit_ended_abnormally' AND "
                                             "event::text LIKE '%" +
                                             detectedBy + "%'"))) == 0 &&
               std::chrono::steady_clock::now() < end)
            std::this_thread::sleep_for(100ms);
        return n;
    }

    TestDatabase db;
    std::string login = db.loginConninfo("janus_room_state");
    JanusProcess a, b;
};

TEST_F(RoomClusterDirectory, RedirectListAndEndAKilledInstancesRoomsAtItsRestartOrByHeartbeat) {
    a.start();
    b.start();
    JsonPtr created = admin(a, R"({"request":"create","room":"cluster-r1","description":"Alice, knee"})");
    ASSERT_EQ(jsonString(created.get(), "room").value_or(""), "cluster-r1") << jsonDump(created.get());

    // B neither hosts it a second time nor says "no such room": it sends the client to A.
    JsonPtr twice = admin(b, R"({"request":"create","room":"cluster-r1"})");
    EXPECT_EQ(jsonInt(twice.get(), "error_code").value_or(0), 471) << jsonDump(twice.get());
    EXPECT_NE(jsonString(twice.get(), "error").value_or("").find("it-a"), std::string::npos);
    // Only a valid token learns where the room lives: a bad one gets its token error.
    ClientTab stranger(b);
    JsonPtr bad = stranger.requestJoin("cluster-r1", "x.y.z");
    EXPECT_EQ(ClientTab::errorCode(bad.get()), 401) << jsonDump(bad.get());
    EXPECT_EQ(json_object_get(bad.get(), "instance_url"), nullptr) << jsonDump(bad.get());
    ClientTab tab(b);
    JsonPtr elsewhere = tab.requestJoin("cluster-r1", mint("cluster-r1", "provider", "dr-2"));
    EXPECT_EQ(ClientTab::errorCode(elsewhere.get()), 469) << jsonDump(elsewhere.get());
    EXPECT_EQ(jsonString(elsewhere.get(), "instance_id").value_or(""), "it-a");
    EXPECT_EQ(jsonString(elsewhere.get(), "instance_url").value_or(""), a.httpUrl());
    EXPECT_EQ(ClientTab::errorCode(tab.requestJoin("cluster-nowhere", "x.y.z").get()), 430);

    JsonPtr r1 = row(b, "cluster-r1");
    ASSERT_TRUE(r1);
    EXPECT_EQ(jsonString(r1.get(), "instance_id").value_or(""), "it-a");
    EXPECT_EQ(jsonString(r1.get(), "instance_url").value_or(""), a.httpUrl());
    EXPECT_TRUE(jsonBool(r1.get(), "live").value_or(false));
    std::string listing = jsonDump(admin(b, R"({"request":"directory"})").get());
    EXPECT_EQ(listing.find("Alice"), std::string::npos);  // never a description

    // A visit that ended on A ends its row `normal`: B may host the id now, and A (which still knows
    // the ended room) sends joins for it to B.
    admin(a, R"({"request":"create","room":"cluster-r0"})");
    ClientTab dr(a);
    dr.join("cluster-r0", mint("cluster-r0", "provider", "dr-1"));
    ASSERT_TRUE(dr.waitKind("joined"));
    dr.send(R"({"request":"end"})");
    ASSERT_TRUE(dr.waitKind("ended"));
    JsonPtr r0;
    for (auto end = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < end;) {
        r0 = row(b, "cluster-r0");
        if (r0 && !jsonBool(r0.get(), "live").value_or(true)) break;
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_TRUE(r0);
    EXPECT_EQ(jsonString(r0.get(), "end_reason").value_or(""), "normal") << jsonDump(r0.get());
    created = admin(b, R"({"request":"create","room":"cluster-r0"})");
    EXPECT_EQ(jsonString(created.get(), "room").value_or(""), "cluster-r0") << jsonDump(created.get());
    ClientTab onA(a);
    JsonPtr toB = onA.requestJoin("cluster-r0", mint("cluster-r0", "provider", "dr-3"));
    EXPECT_EQ(ClientTab::errorCode(toB.get()), 469) << jsonDump(toB.get());
    EXPECT_EQ(jsonString(toB.get(), "instance_url").value_or(""), b.httpUrl());

    // B stops cleanly: its room ends `normal`. Then A is killed while B is stopped (nobody checks
    // heartbeats): A ends its own room when it starts again.
    EXPECT_EQ(b.stop(), 0);
    r0 = row(a, "cluster-r0");
    ASSERT_TRUE(r0);
    EXPECT_EQ(jsonString(r0.get(), "instance_id").value_or(""), "it-b");
    EXPECT_EQ(jsonString(r0.get(), "end_reason").value_or(""), "normal") << jsonDump(r0.get());
    a.kill();
    a.start();
    r1 = row(a, "cluster-r1");
    ASSERT_TRUE(r1);
    EXPECT_EQ(jsonString(r1.get(), "end_reason").value_or(""), "abnormal") << jsonDump(r1.get());
    EXPECT_EQ(auditRecords("it-a", "cluster-r1", "restart", 10s), 1);

    // A killed while B runs: B ends A's room once A's heartbeat is older than dead_after.
    created = admin(a, R"({"request":"create","room":"cluster-r2"})");
    ASSERT_EQ(jsonString(created.get(), "room").value_or(""), "cluster-r2") << jsonDump(created.get());
    b.start();
    a.kill();
    auto killed = std::chrono::steady_clock::now();
    JsonPtr r2;
    while (std::chrono::steady_clock::now() - killed < std::chrono::seconds(kDeadAfterS + 10)) {
        r2 = row(b, "cluster-r2");
        if (r2 && !jsonBool(r2.get(), "live").value_or(true)) break;
        std::this_thread::sleep_for(100ms);
    }
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed);
    std::printf("cluster-r2 ended %lld ms after the kill (dead_after %d s)\n", static_cast<long long>(took.count()),
                kDeadAfterS);
    ASSERT_TRUE(r2);
    EXPECT_EQ(jsonString(r2.get(), "end_reason").value_or(""), "abnormal") << jsonDump(r2.get());
    EXPECT_EQ(auditRecords("it-b", "cluster-r2", "heartbeat_timeout", 10s), 1);
    // Never a redirect to an ended room.
    ClientTab late(b);
    EXPECT_EQ(ClientTab::errorCode(late.requestJoin("cluster-r2", "x.y.z").get()), 430);
}

}  // namespace
