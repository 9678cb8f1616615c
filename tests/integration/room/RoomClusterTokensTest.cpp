// SPDX-License-Identifier: GPL-3.0-or-later
// Two real Janus instances of one clinic ([cluster] in both room configs, one test database, the same
// token signing, date-of-birth and pseudonym keys): what a join spent, a revocation and a subject
// lockout hold on both and across a restart; while the shared store cannot be reached new joins are
// refused (468, in the audit trail) and a running visit goes on.
#include "AuditFixture.hpp"
#include "ClientTab.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "Shell.hpp"
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRoom = "janus.plugin.hipaa.room";
constexpr const char* kRoomConfig = "janus.plugin.hipaa.room.jcfg";

const json_t* data(const json_t* ev) { return json_object_get(json_object_get(ev, "plugindata"), "data"); }

class RoomClusterTokens : public ::testing::Test {
protected:
    void SetUp() override {
        // B signs, hashes and pseudonymizes with A's keys, as a clinic's instances do.
        for (const char* key : {"keys/dev-es256.pem", "keys/dev-es256.pub.pem", "keys/dob.key", "keys/pseudonym.key"})
            b.writeConfig(key, readFile(a.configFile(key)), 0600);
        configure(a, "it-a");
        configure(b, "it-b");
        setAuditKey(a, "conninfo", "\"" + db.conninfo() + "\"");
        setAuditKey(a, "instance_id", "\"it-a\"");
        a.start();
        b.start();
        adminA = std::make_unique<JanusClient>(a);
        adminB = std::make_unique<JanusClient>(b);
    }
    void TearDown() override {
        if (HasFailure()) std::printf("--- A ---\n%s\n--- B ---\n%s\n", a.log().c_str(), b.log().c_str());
        for (JanusProcess* j : {&a, &b}) {
            if (j->running()) {
                EXPECT_EQ(j->stop(), 0);
            }
        }
    }
    void configure(JanusProcess& j, const std::string& instance) {
        std::string cfg = readFile(j.configFile(kRoomConfig));
        cfg += "\nclass-dob: {\n\tdob_check = true\n}\nroom-visit1: {\n\tclass = \"default\"\n}\n";
        cfg += "room-visit2: {\n\tclass = \"dob\"\n}\n";
        cfg += "cluster: {\n\tconninfo = \"" + login + "\"\n\tinstance_id = \"" + instance + "\"\n\tpublic_url = \"" +
               j.httpUrl() + "\"\n}\n";
        // The generated config has a lockout category: fewer failures keep the test short.
        size_t at = cfg.find("failures = 5");
        if (at != std::string::npos) cfg.replace(at, 12, "failures = 2");
        j.writeConfig(kRoomConfig, cfg, 0600);
    }
    std::string mint(const std::string& room, const std::string& role, const std::string& sub,
                     const std::string& extra = "") {
        return Shell::output(std::string("python3 ") + HIPAA_SOURCE_DIR + "/scripts/mint-token --key '" +
                             a.configFile("keys/dev-es256.pem") + "' --dob-key '" + a.configFile("keys/dob.key") +
                             "' --room " + room + " --role " + role + " --sub " + sub + " " + extra);
    }
    JsonPtr sharedState(JanusClient& admin) {
        JsonPtr s = admin.messagePlugin(kRoom, J(R"({"request":"stats"})").get());
        return JsonPtr(json_incref(json_object_get(s.get(), "shared_state")));
    }
    // Makes the shared store unreachable for the room's login (and back).
    void cutStore(bool cut) {
        std::string role = login.substr(login.rfind("user=") + 5);
        role = role.substr(0, role.find(' '));
        PgConn su = db.connect();
        su.exec("ALTER ROLE " + role + " CONNECTION LIMIT " + (cut ? "0" : "-1"));
        if (cut) su.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
    }

    TestDatabase db;
    std::string login = db.loginConninfo("janus_room_state");
    JanusProcess a, b;
    std::unique_ptr<JanusClient> adminA, adminB;
};

TEST_F(RoomClusterTokens, SpentTokensRevocationsAndLockoutsHoldOnEveryInstanceAndTheStoreFailsClosed) {
    // A token used on A is refused on B.
    ClientTab dr(a), pt(a);
    std::string drToken = mint("visit1", "provider", "dr-1");
    JsonPtr joined = dr.requestJoin("visit1", drToken);
    ASSERT_EQ(jsonString(joined.get(), "hipaa.room").value_or(""), "joined") << jsonDump(joined.get());
    std::string ptToken = mint("visit1", "patient", "pt-1");
    JsonPtr waiting = pt.requestJoin("visit1", ptToken);
    ASSERT_EQ(jsonString(waiting.get(), "hipaa.room").value_or(""), "waiting") << jsonDump(waiting.get());
    ClientTab replay(b);
    EXPECT_EQ(replay.errorCode(replay.requestJoin("visit1", ptToken).get()), 413);

    // Revoking the patient on B ends her session on A.
    auto t0 = std::chrono::steady_clock::now();
    JsonPtr r = adminB->messagePlugin(
        kRoom,
        J(R"({"request":"revoke","sub":"pt-1","ttl":600,"by":"Nurse Jackie","reason":"patient_request"})").get());
    ASSERT_TRUE(json_is_true(json_object_get(r.get(), "revoked"))) << jsonDump(r.get());
    JsonPtr ended = pt.waitKind("ended", 5s);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(ended);
    EXPECT_EQ(jsonString(data(ended.get()), "reason").value_or(""), "revoked");
    std::printf("revocation on B ended the session on A after %lld ms\n", static_cast<long long>(ms));
    EXPECT_LT(ms, 3000);
    ClientTab again(a);
    EXPECT_EQ(again.errorCode(again.requestJoin("visit1", mint("visit1", "patient", "pt-1")).get()), 414);

    // Two wrong dates of birth on A lock the subject out of the room on B too; the link itself was
    // given back by each failure, so its first correct use on B is refused only by the lock.
    std::string link = mint("visit2", "patient", "pt-2", "--dob 1980-02-29");
    for (int i = 0; i < 2; ++i) {
        ClientTab guess(a);
        EXPECT_EQ(guess.errorCode(guess.requestJoin("visit2", link, "1980-03-01").get()), 416);
    }
    ClientTab locked(b);
    EXPECT_EQ(locked.errorCode(locked.requestJoin("visit2", link, "1980-02-29").get()), 417);

    // The store hangs (a lock, not a refusal): a join waits for it on the room's worker, up to the
    // statement timeout, but no Janus thread does: attaching and detaching a handle answer at once.
    {
        PgConn locker = db.connect(), watcher = db.connect();
        locker.exec("BEGIN");
        locker.exec("LOCK TABLE room_revocation IN ACCESS EXCLUSIVE MODE");
        ClientTab slow(a);
        slow.join("visit1", mint("visit1", "observer", "obs-1"));
        std::string blocked = "0";
        for (auto until = std::chrono::steady_clock::now() + 5s;
             blocked == "0" && std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(10ms))
            blocked = scalar(watcher,
                             "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                             "AND query LIKE '%room_join_check%'");
        ASSERT_NE(blocked, "0");
        JanusClient client(a);
        uint64_t session = client.createSession();
        auto t1 = std::chrono::steady_clock::now();
        uint64_t handle = client.attach(session, kRoom);
        client.detach(session, handle);
        auto took =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t1).count();
        std::printf("attach + detach while a join waited for the store: %lld ms\n", static_cast<long long>(took));
        EXPECT_LT(took, 500);
        locker.exec("ROLLBACK");
        EXPECT_TRUE(slow.waitKind("waiting", 5s));  // the lock went before the statement timeout
    }

    // The store unreachable: A refuses new joins (468, recorded), the provider's visit goes on.
    cutStore(true);
    ClientTab refused(a);
    EXPECT_EQ(refused.errorCode(refused.requestJoin("visit1", mint("visit1", "interpreter", "int-1")).get()), 468);
    EXPECT_EQ(ClientTab::errorCode(dr.request(R"({"request":"participants"})").get()), 0);
    JsonPtr st = sharedState(*adminA);
    EXPECT_FALSE(json_is_true(json_object_get(st.get(), "connected"))) << jsonDump(st.get());
    EXPECT_NE(jsonString(st.get(), "last_error").value_or(""), "") << jsonDump(st.get());
    // Revoking while it cannot be stored says so.
    JsonPtr notTaken = adminA->admin(J(std::string(R"({"janus":"message_plugin","plugin":")") + kRoom +
                                       R"(","request":{"request":"revoke","sub":"dr-9"}})"));
    EXPECT_NE(jsonDump(notTaken.get()).find("468"), std::string::npos) << jsonDump(notTaken.get());
    PgConn su = db.connect();
    auto deadline = std::chrono::steady_clock::now() + 20s;
    std::string rows;
    while (std::chrono::steady_clock::now() < deadline &&
           (rows = scalar(su,
                          "SELECT count(*) FROM audit_record WHERE instance_id = 'it-a' AND action = "
                          "'plugin.hipaa.room.join' AND outcome = 'failure' AND event->'event'->'data'->>"
                          "'reason' = 'shared_state_unavailable'")) == "0")
        std::this_thread::sleep_for(100ms);
    EXPECT_EQ(rows, "1");
    cutStore(false);

    // A restarts: the provider's token, spent before, is still spent.
    ASSERT_EQ(a.stop(), 0);
    a.start();
    ClientTab reload(a);
    EXPECT_EQ(reload.errorCode(reload.requestJoin("visit1", drToken).get()), 413);
    std::string log = a.log() + b.log();
    for (const char* phi : {"pt-1", "pt-2", "Nurse Jackie", "1980-02-29", "eyJ"})
        EXPECT_EQ(log.find(phi), std::string::npos) << phi;
}

}  // namespace
