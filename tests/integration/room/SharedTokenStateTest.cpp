// SPDX-License-Identifier: GPL-3.0-or-later
// PgTokenState and RevocationListener against the real PostgreSQL (sql/200_room_cluster.sql), logged
// in as a member of janus_room_state, as the room plugin is in production: two stores stand for two
// Janus instances of one clinic.
#include "PgTokenState.hpp"
#include "RevocationListener.hpp"
#include "RoomErrors.hpp"

#include "FreePort.hpp"
#include "TestDatabase.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

using Verdict = SharedTokenState::Verdict;

class SharedTokenStateDb : public ::testing::Test {
protected:
    PgTokenState store(const std::string& instance) {
        return PgTokenState({.conninfo = login, .instanceId = instance});
    }
    SharedTokenState::Join join(const std::string& jti, const std::string& subject = "ps1_subject") const {
        return {.iss = "https://idp.test",
                .jti = jti,
                .subject = subject,
                .room = "r1",
                .pseudonym = "ps1_p",
                .forgetAt = now + 600};
    }

    TestDatabase db;
    std::string login = db.loginConninfo("janus_room_state");
    int64_t now = std::time(nullptr);
};

TEST_F(SharedTokenStateDb, AJtiSpentOnOneInstanceIsReplayedOnAnotherAndAfterARestart) {
    PgTokenState a = store("a"), b = store("b");
    EXPECT_EQ(a.spend(join("j1"), now), Verdict::Fresh);
    EXPECT_EQ(b.spend(join("j1"), now), Verdict::Replayed);
    PgTokenState restarted = store("a");
    EXPECT_EQ(restarted.spend(join("j1"), now), Verdict::Replayed);
    // Another issuer's equal jti is another token; a row past forget_at is no replay.
    SharedTokenState::Join other = join("j1");
    other.iss = "https://other.test";
    EXPECT_EQ(b.spend(other, now), Verdict::Fresh);
    SharedTokenState::Join stale = join("j2");
    stale.forgetAt = now - 1;
    EXPECT_EQ(a.spend(stale, now - 10), Verdict::Fresh);
    EXPECT_EQ(b.spend(join("j2"), now), Verdict::Fresh);
}

TEST_F(SharedTokenStateDb, RevocationsBySubjectJtiAndRoomRefuseOnEveryInstanceAndReachTheListener) {
    PgTokenState a = store("a"), b = store("b");
    std::mutex m;
    std::vector<SharedTokenState::Revocation> heard;
    RevocationListener listener(login, [&](const SharedTokenState::Revocation& r) {
        std::lock_guard lock(m);
        heard.push_back(r);
    });
    listener.start();
    for (int i = 0; i < 100 && !listener.listening(); ++i) std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(listener.listening());

    auto t0 = std::chrono::steady_clock::now();
    b.revoke({"subject", "ps1_revoked", now + 600, "ps1_admin", "left_practice"});
    auto deadline = t0 + 3s;
    for (;;) {
        {
            std::lock_guard lock(m);
            if (!heard.empty()) break;
        }
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "revocation not heard within 3 s";
        std::this_thread::sleep_for(2ms);
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    std::printf("revocation heard after %lld ms\n", static_cast<long long>(ms));
    {
        std::lock_guard lock(m);
        EXPECT_EQ(heard[0].kind, "subject");
        EXPECT_EQ(heard[0].target, "ps1_revoked");
    }
    EXPECT_EQ(a.spend(join("j3", "ps1_revoked"), now), Verdict::Revoked);
    b.revoke({"jti", "j4", now + 600, "ps1_admin", "admin_request"});
    EXPECT_EQ(a.spend(join("j4"), now), Verdict::Revoked);
    b.revoke({"room", "r1", now + 5, "ps1_admin", "security_incident"});
    EXPECT_EQ(a.spend(join("j5"), now), Verdict::Revoked);
    EXPECT_EQ(a.spend(join("j5"), now + 10), Verdict::Fresh);  // the room's revocation ran out
    // A reason outside the fixed set is refused by the database (fail closed: 468 to the caller).
    try {
        b.revoke({"subject", "ps1_x", now + 600, "ps1_admin", "because I said so"});
        FAIL() << "free-text reason stored";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), room::errc::kSharedStateUnavailable);
    }
}

TEST_F(SharedTokenStateDb, WrongDatesOfBirthLockTheSubjectEverywhereAndGiveTheLinkBack) {
    PgTokenState a = store("a"), b = store("b");
    SharedTokenState::Limits limits{.maxFailures = 3, .windowS = 300, .lockS = 300};
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(a.spend(join("link"), now + i), Verdict::Fresh);  // given back by each failure
        EXPECT_FALSE(a.dobFailure(join("link"), limits, now + i));
    }
    ASSERT_EQ(b.spend(join("link"), now + 2), Verdict::Fresh);
    EXPECT_TRUE(b.dobFailure(join("link"), limits, now + 2));  // the third, on the other instance
    EXPECT_EQ(a.spend(join("other-link"), now + 3), Verdict::Locked);
    EXPECT_EQ(b.spend(join("link"), now + 3), Verdict::Locked);
    EXPECT_EQ(a.spend(join("link"), now + 303), Verdict::Fresh);  // the lock ran out
}

TEST_F(SharedTokenStateDb, TheRoleMayOnlyCallTheFunctionsAndReadRevocations) {
    PgConn c = PgConn::connect({.conninfo = login});
    for (const char* sql : {"INSERT INTO room_spent_jti VALUES ('i', 'j', 0, 'x')", "DELETE FROM room_spent_jti",
                            "SELECT * FROM room_spent_jti", "DELETE FROM room_revocation",
                            "UPDATE room_subject_lockout SET locked_until = 0",
                            "INSERT INTO room_revocation (kind, target, until_s, by_pseudonym, reason, instance_id) "
                            "VALUES ('room', 'r', 0, 'p', 'other', 'x')",
                            "CREATE TABLE x (a int)"}) {
        try {
            c.exec(sql);
            ADD_FAILURE() << "allowed: " << sql;
        } catch (const DbError& e) {
            EXPECT_EQ(e.sqlstate(), "42501") << sql;
        }
    }
    EXPECT_NO_THROW(c.exec("SELECT id FROM room_revocation"));
}

TEST_F(SharedTokenStateDb, AnUnreachableStoreRefusesAtOnceAndRecovers) {
    // A port nobody listens on: connection refused.
    PgTokenState gone({.conninfo = "host=127.0.0.1 port=" + std::to_string(freeLoopbackPort()) + " dbname=x user=x",
                       .instanceId = "a"});
    for (int i = 0; i < 3; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        try {
            gone.spend(join("j"), now);
            FAIL() << "spent without a database";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), room::errc::kSharedStateUnavailable);
            EXPECT_EQ(std::string(e.what()).find("port="), std::string::npos) << e.what();
        }
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
    }
    JsonPtr d = gone.describe();
    EXPECT_EQ(jsonString(d.get(), "last_error").value_or(""), "connect_failed");
    EXPECT_FALSE(json_is_true(json_object_get(d.get(), "connected")));

    // The database refuses this login (connection limit 0, its backends ended): refused; then back.
    PgTokenState a = store("a");
    ASSERT_EQ(a.spend(join("j6"), now), Verdict::Fresh);
    PgConn su = db.connect();
    std::string role = login.substr(login.rfind("user=") + 5);
    role = role.substr(0, role.find(' '));
    su.exec("ALTER ROLE " + role + " CONNECTION LIMIT 0");
    su.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
    try {
        a.spend(join("j7"), now);
        FAIL() << "spent without a connection";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), room::errc::kSharedStateUnavailable);
    }
    su.exec("ALTER ROLE " + role + " CONNECTION LIMIT -1");
    Verdict v = Verdict::Locked;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            v = a.spend(join("j7"), now);
            break;
        } catch (const Error&) {
            std::this_thread::sleep_for(50ms);
        }
    }
    EXPECT_EQ(v, Verdict::Fresh);
    EXPECT_TRUE(a.connected());
}

}  // namespace
