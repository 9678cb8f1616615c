// SPDX-License-Identifier: GPL-3.0-or-later
// RoomDirectory against the real PostgreSQL schema (sql/201), logged in as a janus_room_state member:
// one live host per room id, redirects only to live hosts, dead instances' rooms ended once, an
// instance's own rooms ended at its restart, bounded listings, least privilege, fail fast when down.
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"

#include "DirectoryBridge.hpp"
#include "RoomDirectory.hpp"
#include "RoomErrors.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/UniqueFd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::test;

namespace {

class RoomDirectoryDb : public ::testing::Test {
protected:
    RoomDirectory directory(const std::string& instance, int64_t deadAfterS = 15) {
        return RoomDirectory(login, instance, "https://" + instance + ".clinic.example/janus", deadAfterS);
    }
    TestDatabase db;
    std::string login = db.loginConninfo("janus_room_state");
};

TEST_F(RoomDirectoryDb, OneLiveHostPerRoomAndRedirectsOnlyWhileLive) {
    RoomDirectory a = directory("janus-a"), b = directory("janus-b");
    EXPECT_TRUE(a.start().empty());
    EXPECT_TRUE(b.start().empty());
    EXPECT_EQ(a.claim("r1", "default").outcome, RoomDirectory::Claim::Claimed);
    RoomDirectory::ClaimResult other = b.claim("r1", "default");
    EXPECT_EQ(other.outcome, RoomDirectory::Claim::Elsewhere);
    EXPECT_EQ(other.host.instanceId, "janus-a");
    EXPECT_EQ(other.host.publicUrl, "https://janus-a.clinic.example/janus");
    EXPECT_EQ(a.claim("r1", "default").outcome, RoomDirectory::Claim::AlreadyMine);

    auto host = b.lookup("r1");
    ASSERT_TRUE(host);
    EXPECT_EQ(host->instanceId, "janus-a");
    EXPECT_FALSE(b.lookup("r-unknown"));

    b.end("r1", "normal");  // not b's room: nothing happens
    EXPECT_TRUE(b.lookup("r1"));
    a.end("r1", "normal");
    EXPECT_FALSE(b.lookup("r1"));                                                // never a redirect to an ended room
    EXPECT_EQ(b.claim("r1", "default").outcome, RoomDirectory::Claim::Claimed);  // the id is free again
}

TEST_F(RoomDirectoryDb, DeadInstancesRoomsEndOnceAndARestartEndsItsOwn) {
    RoomDirectory a = directory("janus-a", 5), b = directory("janus-b", 5), c = directory("janus-c", 5);
    a.start();
    b.start();
    c.start();
    a.claim("r1", "default");
    a.claim("r2", "default");
    b.claim("r3", "default");
    b.heartbeat();
    PgConn su = db.connect();
    su.exec("UPDATE room_instance SET last_heartbeat = now() - interval '6 seconds' WHERE instance_id = 'janus-a'");
    EXPECT_FALSE(b.lookup("r1"));  // a stale heartbeat is no host, even before anyone ended its rooms
    auto reaped = b.reapDead();
    ASSERT_EQ(reaped.size(), 2u);
    for (const auto& e : reaped) EXPECT_EQ(e.instanceId, "janus-a");
    EXPECT_TRUE(c.reapDead().empty());  // each row is reported by exactly one instance
    EXPECT_EQ(scalar(su, "SELECT string_agg(end_reason, ',') FROM room_directory WHERE instance_id = 'janus-a'"),
              "abnormal,abnormal");

    // b is killed and starts again: its own earlier room ends abnormal at its start.
    RoomDirectory again = directory("janus-b", 5);
    auto own = again.start();
    ASSERT_EQ(own.size(), 1u);
    EXPECT_EQ(own[0].room, "r3");
    EXPECT_EQ(scalar(su, "SELECT end_reason FROM room_directory WHERE room_id = 'r3'"), "abnormal");
}

TEST_F(RoomDirectoryDb, ListingIsNewestFirstFilteredAndBoundedAndTheLoginCannotRewriteIt) {
    RoomDirectory a = directory("janus-a"), b = directory("janus-b");
    a.start();
    b.start();
    for (int i = 0; i < 3; ++i) a.claim("a" + std::to_string(i), "default");
    b.claim("b0", "interpreted");
    a.end("a0", "destroyed");
    bool truncated = false;
    auto all = b.list({}, truncated);
    ASSERT_EQ(all.size(), 4u);
    EXPECT_FALSE(truncated);
    EXPECT_EQ(all[0].room, "b0");
    EXPECT_EQ(all[0].className, "interpreted");
    EXPECT_EQ(all[3].room, "a0");
    EXPECT_EQ(all[3].endReason, "destroyed");
    EXPECT_TRUE(all[3].endedUs);
    EXPECT_GE(*all[3].endedUs, all[3].createdUs);

    auto live = b.list({.instanceId = "janus-a", .liveOnly = true, .limit = 1}, truncated);
    ASSERT_EQ(live.size(), 1u);
    EXPECT_TRUE(truncated);
    EXPECT_EQ(live[0].room, "a2");
    EXPECT_FALSE(live[0].endedUs);

    auto inst = b.instances();
    ASSERT_EQ(inst.size(), 2u);
    EXPECT_TRUE(inst[0].alive);
    EXPECT_EQ(inst[1].publicUrl, "https://janus-b.clinic.example/janus");

    // Least privilege: the login inserts, reads and ends rows; it never deletes or rewrites them.
    PgConn c = PgConn::connect({login});
    EXPECT_EQ(refused(c, "DELETE FROM room_directory"), "42501");
    EXPECT_EQ(refused(c, "UPDATE room_directory SET instance_id = 'janus-b'"), "42501");
    EXPECT_EQ(refused(c, "DELETE FROM room_instance"), "42501");
    EXPECT_EQ(refused(c, "TRUNCATE room_directory"), "42501");
    EXPECT_EQ(refused(c, "SELECT count(*) FROM audit_record"), "42501");
}

// An outage here longer than dead_after: another instance ended this one's rooms, and one id went
// live there meanwhile. When the heartbeat thread reaches the database again it registers the first
// room again and reports the second as a conflict (once).
TEST_F(RoomDirectoryDb, ARoomEndedElsewhereWhileItLivedHereIsRegisteredAgainOrReportedAsAConflict) {
    std::mutex mutex;
    std::vector<std::string> events;
    DirectoryBridge a(
        ClusterConfig{login, "janus-a", "https://janus-a.clinic.example/janus"}, 15,
        [&](JsonPtr e) {
            std::lock_guard lock(mutex);
            events.push_back(jsonDump(e.get()));
        },
        Logger(), std::chrono::milliseconds(50));
    std::vector<std::string> hosted;
    ASSERT_TRUE(a.start({{"r1", "default"}, {"r2", "default"}},
                        [&](const std::vector<std::string>& rooms) { hosted = rooms; }));
    ASSERT_EQ(hosted, (std::vector<std::string>{"r1", "r2"}));
    PgConn su = db.connect();
    su.transaction([](PgConn& t) {
        t.exec("UPDATE room_directory SET ended = now(), end_reason = 'abnormal' WHERE instance_id = 'janus-a'");
        t.exec("INSERT INTO room_instance (instance_id, public_url) VALUES ('janus-b', 'https://b.example/janus')");
        t.exec(
            "INSERT INTO room_directory (room_id, instance_id, public_url, class) "
            "VALUES ('r2', 'janus-b', 'https://b.example/janus', 'default')");
    });
    RoomDirectory b = directory("janus-b");
    auto count = [&](const std::string& what, const std::string& room = "") {
        std::lock_guard lock(mutex);
        return std::count_if(events.begin(), events.end(), [&](const std::string& e) {
            return e.find(what) != std::string::npos && e.find("\"room\":\"" + room) != std::string::npos;
        });
    };
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while ((count("room_reregistered") == 0 || count("room_conflict") == 0) && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto r1 = b.lookup("r1");
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->instanceId, "janus-a");
    auto r2 = b.lookup("r2");
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->instanceId, "janus-b");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a few more beats: reported once
    EXPECT_EQ(count("room_reregistered", "r1\""), 1);
    EXPECT_EQ(count("room_conflict", "r2\""), 1);
    EXPECT_EQ(count("\"other_instance\":\"janus-b\"", "r2\""), 1);
    EXPECT_EQ(count("\"event\""), 2);  // nothing else, nothing twice
}

// The database refuses the login at start: the bridge starts anyway (Janus keeps the room plugin),
// answers 468 where it needs the directory, and registers the configured rooms once it is let in.
TEST_F(RoomDirectoryDb, AnOutageAtStartIsWaitedOutAndTheConfiguredRoomsRegisteredThen) {
    std::string role = login.substr(login.rfind("user=") + 5);
    role = role.substr(0, role.find(' '));
    PgConn su = db.connect();
    su.exec("ALTER ROLE " + role + " CONNECTION LIMIT 0");
    std::mutex mutex;
    std::optional<std::vector<std::string>> hosted;
    DirectoryBridge a(
        ClusterConfig{login, "janus-a", "https://janus-a.clinic.example/janus"}, 15, [](JsonPtr) {}, Logger(),
        std::chrono::milliseconds(50));
    EXPECT_FALSE(a.start({{"r1", "default"}}, [&](const std::vector<std::string>& rooms) {
        std::lock_guard lock(mutex);
        hosted = rooms;
    }));
    EXPECT_FALSE(a.ready());
    try {
        a.claim("r9", "default");
        ADD_FAILURE() << "create answered without the directory";
    } catch (const RequestError& e) {
        EXPECT_EQ(e.code(), room::errc::kSharedStateUnavailable);
    }
    Effects out;
    EXPECT_TRUE(a.redirect(
        1, "t", "r1", [](const std::string&, Effects&) { return DirectoryBridge::Verdict::Redirect; }, out));
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(jsonInt(out[0].body.get(), "error_code").value_or(0), room::errc::kSharedStateUnavailable);

    su.exec("ALTER ROLE " + role + " CONNECTION LIMIT -1");
    for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         !a.ready() && std::chrono::steady_clock::now() < until;)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(a.ready());
    {
        std::lock_guard lock(mutex);
        ASSERT_TRUE(hosted);
        EXPECT_EQ(*hosted, std::vector<std::string>{"r1"});
    }
    auto host = directory("janus-b").lookup("r1");
    ASSERT_TRUE(host);
    EXPECT_EQ(host->instanceId, "janus-a");
}

// A server that takes the connection and never answers: each connect attempt waits out libpq's
// connect timeout (2 s). Within a second of a failure the directory does not try again.
TEST(RoomDirectoryDown, AStalledDatabaseCostsOneConnectTimeoutNotOnePerRequest) {
    UniqueFd server(socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(listen(server.get(), 8), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(getsockname(server.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
    RoomDirectory down("host=127.0.0.1 port=" + std::to_string(ntohs(addr.sin_port)) + " dbname=none user=none",
                       "janus-a", "https://a.example/janus", 15);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(down.lookup("r1"), DbError);
    auto first = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(first, std::chrono::milliseconds(1500));  // the stall is real: the timeout was waited out
    t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(down.lookup("r1"), DbError);
    EXPECT_THROW(down.claim("r1", "default"), DbError);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
}

}  // namespace
