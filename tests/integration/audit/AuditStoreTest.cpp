// SPDX-License-Identifier: GPL-3.0-or-later
// AuditStore's binary COPY against a real PostgreSQL: every column comes back exactly as written
// (NULLs, negative and 64-bit integers, text with tabs/newlines/backslashes/UTF-8, microsecond times
// before and after 2000, raw hashes), the chain verifies, a replay (staging + ON CONFLICT) skips rows
// already there, and a value PostgreSQL would refuse in text form is refused with the connection
// still usable.
#include "AuditChain.hpp"
#include "AuditRecordRow.hpp"
#include "AuditStore.hpp"
#include "AuditVerifier.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Ed25519Verifier.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::audit;
using namespace hipaa::test;

namespace {

std::vector<AuditRecord> records(AuditChain& chain, int n, int64_t firstUs) {
    std::vector<AuditRecord> out;
    for (int i = 0; i < n; ++i) {
        AuditRecord r;
        r.eventTimeUs = firstUs + i * 1000003LL;
        r.janusType = i % 3 == 0 ? 0 : 64;
        if (i % 2) r.subtype = -(i + 1);
        if (i % 3) r.emitter = "gw\t\"1\"\\n";
        if (i % 4) r.plugin = "janus.plugin.videoroom";
        if (i % 5) r.sessionId = INT64_MAX - i;
        if (i % 2 == 0) r.handleId = -4242 - i;
        if (i % 3 != 1) r.room = "room \\ one\nline two\r\u00e9\u2713";
        if (i % 4 != 2) r.actor = "ps1_abc" + std::to_string(i);
        r.action = "plugin.videoroom.joined";
        r.outcome = i % 7 ? "success" : "failure";
        // As the scrubber stores it: jansson's compact dump with sorted keys.
        r.event = jsonDump(
            jsonParse(R"({"a":[1,2.5,-3e10,null,true],"s":"tab\tnl\nbs\\ q\" \u00e9","n":)" + std::to_string(i) + "}")
                .get());
        chain.append(r);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

TEST(AuditStore, BinaryCopyRoundTripsEveryColumnAndTheChainVerifies) {
    TestDatabase db;
    AuditStore store = AuditStore::connect({db.conninfo()});
    AuditChain chain("store-gw", 0, Digest256{});
    // 1999-12-31T23:59:59.999999Z onwards: the binary timestamp is relative to 2000-01-01.
    std::vector<AuditRecord> first = records(chain, 40, 946684799999999LL);
    for (const auto& r : first) store.ensurePartitions(r.eventTimeUs);
    EXPECT_EQ(store.write(first, {}), 40);
    std::vector<AuditRecord> second = records(chain, 30, 1795382881891879LL);
    store.ensurePartitions(second.front().eventTimeUs);
    // A replay that repeats 10 committed rows: they are skipped, the 30 new ones inserted.
    std::vector<AuditRecord> replay(first.end() - 10, first.end());
    replay.insert(replay.end(), second.begin(), second.end());
    EXPECT_EQ(store.write(replay, {}, true), 30);

    std::vector<AuditRecord> all = first;
    all.insert(all.end(), second.begin(), second.end());
    PgConn conn = db.connect();
    PgResult rows = conn.exec(AuditRecordRow::select() + "WHERE instance_id = 'store-gw' ORDER BY seq");
    ASSERT_EQ(rows.rows(), 70);
    for (int i = 0; i < rows.rows(); ++i) {
        const AuditRecord& w = all[static_cast<size_t>(i)];
        AuditRecord r = AuditRecordRow::decodeColumns(rows, i);
        SCOPED_TRACE("seq " + std::to_string(w.seq));
        EXPECT_EQ(r.instanceId, w.instanceId);
        EXPECT_EQ(r.seq, w.seq);
        EXPECT_EQ(r.eventTimeUs, w.eventTimeUs);
        EXPECT_EQ(r.janusType, w.janusType);
        EXPECT_EQ(r.subtype, w.subtype);
        EXPECT_EQ(r.emitter, w.emitter);
        EXPECT_EQ(r.plugin, w.plugin);
        EXPECT_EQ(r.sessionId, w.sessionId);
        EXPECT_EQ(r.handleId, w.handleId);
        EXPECT_EQ(r.room, w.room);
        EXPECT_EQ(r.actor, w.actor);
        EXPECT_EQ(r.action, w.action);
        EXPECT_EQ(r.outcome, w.outcome);
        EXPECT_EQ(jsonDump(jsonParse(rows.value(i, AuditRecordRow::kEventColumn)).get()),
                  jsonDump(jsonParse(w.event).get()));
        EXPECT_EQ(rows.value(i, AuditRecordRow::kPrevHashColumn), hexEncode(w.prevHash));
        EXPECT_EQ(rows.value(i, AuditRecordRow::kHashColumn), hexEncode(w.hash));
    }
    EXPECT_EQ(std::string(conn.exec("SELECT event_time::text FROM audit_record WHERE seq = 1").value(0, 0)),
              std::string(conn.exec("SELECT '1999-12-31T23:59:59.999999Z'::timestamptz::text").value(0, 0)));
    Ed25519Signer signer(Bytes(32, 5));
    Ed25519Verifier key(signer.publicKey());
    AuditVerifier::Result v = AuditVerifier::verify(conn, "store-gw", key);
    EXPECT_TRUE(v.ok) << v.reason;
    EXPECT_EQ(v.recordsChecked, 70);
}

TEST(AuditStore, AnOutOfRangeIntegerIsRefusedAndTheConnectionStaysUsable) {
    TestDatabase db;
    AuditStore store = AuditStore::connect({db.conninfo()});
    AuditChain chain("store-gw", 0, Digest256{});
    std::vector<AuditRecord> bad = records(chain, 3, 1795382881891879LL);
    store.ensurePartitions(bad.front().eventTimeUs);
    bad[1].janusType = int64_t{1} << 40;  // the column is `integer`
    try {
        store.write(bad, {});
        FAIL() << "accepted";
    } catch (const DbError& e) {
        EXPECT_EQ(e.sqlstate(), "22003");
    }
    AuditChain fresh("store-gw", 0, Digest256{});
    EXPECT_EQ(store.write(records(fresh, 3, 1795382881891879LL), {}), 3);
    PgConn conn = db.connect();
    EXPECT_EQ(std::string(conn.exec("SELECT count(*) FROM audit_record").value(0, 0)), "3");
}
