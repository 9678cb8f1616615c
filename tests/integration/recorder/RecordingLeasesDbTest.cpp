// SPDX-License-Identifier: GPL-3.0-or-later
// RecordingLeases against a real PostgreSQL (a fresh migrated database), logged in as a member of
// janus_recorder_state only, as a recorder is: two instances never hold one recording's lease at once,
// a lapsed lease is taken over and its former holder learns it at the next renewal, a restart drops
// the leases of its earlier run, an unreachable store is 431 without PostgreSQL's text.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "RecorderErrors.hpp"
#include "RecordingLeases.hpp"
#include "SuiteDatabase.hpp"
#include "TestDatabase.hpp"
#include "hipaa/Errors.hpp"

using namespace hipaa;
using namespace hipaa::recorder;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

const std::string kRec = "0123456789abcdef0123456789abcdef";
const std::string kOther = "fedcba9876543210fedcba9876543210";

class RecordingLeasesDb : public ::testing::Test {
protected:
    static void SetUpTestSuite() { suite_.open("janus_recorder_state"); }
    static void TearDownTestSuite() { suite_.close(); }
    void SetUp() override { suite_.db().connect().exec("DELETE FROM recorder_lease"); }
    static RecordingLeases leases(const std::string& instance, std::chrono::milliseconds ttl = 30s) {
        return RecordingLeases(suite_.login(), instance, ttl);
    }
    static inline SuiteDatabase suite_;
};

// Who holds `recording` ("" when nobody): a failure, not a crash, when the lease is missing.
std::string ownerOf(RecordingLeases& l, const std::string& recording) {
    auto h = l.holder(recording);
    return h ? h->owner : "";
}
std::string kindOf(RecordingLeases& l, const std::string& recording) {
    auto h = l.holder(recording);
    return h ? h->kind : "";
}

}  // namespace

TEST_F(RecordingLeasesDb, OneInstanceAtATimeHoldsARecordingWhateverTheKind) {
    RecordingLeases a = leases("janus-a"), b = leases("janus-b");
    EXPECT_FALSE(a.acquire(kRec, LeaseKind::Open));
    auto held = b.acquire(kRec, LeaseKind::Op);
    ASSERT_TRUE(held);
    EXPECT_EQ(held->owner, "janus-a");
    EXPECT_EQ(held->kind, "open");
    EXPECT_TRUE(b.acquire(kRec, LeaseKind::Sweep));
    EXPECT_TRUE(a.acquire(kRec, LeaseKind::Sweep)) << "leases do not nest, not even for their holder";
    EXPECT_FALSE(b.acquire(kOther, LeaseKind::Sweep)) << "another recording is free";
    EXPECT_EQ(ownerOf(a, kRec), "janus-a");

    b.release(kRec, LeaseKind::Op);  // not b's: changes nothing
    EXPECT_EQ(ownerOf(a, kRec), "janus-a");
    a.release(kRec, LeaseKind::Open);
    EXPECT_FALSE(a.holder(kRec));
    EXPECT_FALSE(b.acquire(kRec, LeaseKind::Sweep));
    held = a.acquire(kRec, LeaseKind::Op);
    ASSERT_TRUE(held);
    EXPECT_EQ(held->owner, "janus-b");
    EXPECT_EQ(held->kind, "sweep");
    EXPECT_EQ(b.held(), 2u);
}

TEST_F(RecordingLeasesDb, RenewingKeepsALeaseAndALapsedOneIsTakenOverAndReportedLost) {
    RecordingLeases a = leases("janus-a", 400ms), b = leases("janus-b", 400ms);
    ASSERT_FALSE(a.acquire(kRec, LeaseKind::Open));
    // Renewed every 100 ms for three ttls: never free for b.
    for (int i = 0; i < 12; ++i) {
        EXPECT_TRUE(a.renew().empty());
        EXPECT_TRUE(b.acquire(kRec, LeaseKind::Sweep)) << "round " << i;
        std::this_thread::sleep_for(100ms);
    }
    // a stops renewing (as a crashed instance does): b gets it once the ttl has passed.
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (b.acquire(kRec, LeaseKind::Sweep) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    EXPECT_EQ(ownerOf(b, kRec), "janus-b");
    EXPECT_EQ(a.renew(), std::set<std::string>{kRec});
    EXPECT_EQ(a.held(), 0u);
    EXPECT_EQ(kindOf(b, kRec), "sweep") << "a's renewal must not extend b's lease as its own";
}

TEST_F(RecordingLeasesDb, ARestartedInstanceDropsTheLeasesItsEarlierRunLeft) {
    {
        RecordingLeases before = leases("janus-a");
        ASSERT_FALSE(before.acquire(kRec, LeaseKind::Open));
        ASSERT_FALSE(before.acquire(kOther, LeaseKind::Sweep));
    }  // killed: nothing given back
    RecordingLeases b = leases("janus-b");
    ASSERT_FALSE(b.acquire("00000000000000000000000000000001", LeaseKind::Op));
    EXPECT_TRUE(b.acquire(kRec, LeaseKind::Op));
    RecordingLeases after = leases("janus-a");
    after.releaseLeftovers();
    EXPECT_FALSE(b.acquire(kRec, LeaseKind::Op));
    EXPECT_FALSE(b.acquire(kOther, LeaseKind::Op));
    EXPECT_EQ(ownerOf(b, "00000000000000000000000000000001"), "janus-b") << "another instance's stay";
}

TEST_F(RecordingLeasesDb, TheRoleMayNotRewriteWhichRecordingALeaseIsFor) {
    PgConn c = PgConn::connect({suite_.login()});
    RecordingLeases a = leases("janus-a");
    ASSERT_FALSE(a.acquire(kRec, LeaseKind::Open));
    try {
        c.exec("UPDATE recorder_lease SET recording = '" + kOther + "'");
        ADD_FAILURE() << "UPDATE of recording allowed";
    } catch (const DbError& e) {
        EXPECT_EQ(e.sqlstate(), "42501");
    }
    try {
        c.exec("TRUNCATE recorder_lease");
        ADD_FAILURE() << "TRUNCATE allowed";
    } catch (const DbError& e) {
        EXPECT_EQ(e.sqlstate(), "42501");
    }
}

TEST(RecordingLeases, AnUnreachableStoreIs431WithoutItsConninfo) {
    RecordingLeases down("host=127.0.0.1 port=1 dbname=hipaa user=janus password=s3cr3t-pw connect_timeout=1",
                         "janus-a", 30s);
    for (auto call : {+[](RecordingLeases& l) { l.acquire(kRec, LeaseKind::Sweep); },
                      +[](RecordingLeases& l) { l.holder(kRec); }, +[](RecordingLeases& l) { l.releaseLeftovers(); }}) {
        try {
            call(down);
            ADD_FAILURE() << "no error";
        } catch (const RequestError& e) {
            EXPECT_EQ(e.code(), recorder::errc::kClusterUnavailable);
            EXPECT_EQ(std::string(e.what()).find("s3cr3t"), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find("janus"), std::string::npos) << e.what();
        }
    }
}
