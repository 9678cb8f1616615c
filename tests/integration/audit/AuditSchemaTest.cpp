// SPDX-License-Identifier: GPL-3.0-or-later
// sql/100_audit_trail.sql (and 102) against a real, empty PostgreSQL database: append-only even for the
// superuser while the triggers are on, monthly partitions, a writer role limited to INSERT and SELECT.
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::test;

namespace {

const char* kInsert =
    "INSERT INTO audit_record (instance_id, seq, event_time, janus_type, action, outcome, event, prev_hash, hash) "
    "VALUES ('i1', 1, now(), 1, 'session.created', 'success', '{}', decode(repeat('00', 32), 'hex'), "
    "decode(repeat('11', 32), 'hex'))";

}  // namespace

TEST(AuditSchema, RefusesUpdateDeleteTruncateEvenForTheOwner) {
    TestDatabase db;
    PgConn conn = db.connect();  // the cluster's superuser: the strongest role, until it disables the triggers
    conn.exec(kInsert);
    std::string partition(conn.exec("SELECT tableoid::regclass::text FROM audit_record").value(0, 0));
    EXPECT_NE(partition, "audit_record_default") << "the current month has its own partition";

    EXPECT_EQ(refused(conn, "UPDATE audit_record SET action = 'x'"), "42501");
    EXPECT_EQ(refused(conn, "DELETE FROM audit_record"), "42501");
    EXPECT_EQ(refused(conn, "TRUNCATE audit_record"), "42501");
    // Directly on the partition too (statement triggers are not inherited).
    EXPECT_EQ(refused(conn, "UPDATE " + partition + " SET action = 'x'"), "42501");
    EXPECT_EQ(refused(conn, "DELETE FROM " + partition), "42501");
    EXPECT_EQ(refused(conn, "TRUNCATE " + partition), "42501");
    EXPECT_EQ(refused(conn, "TRUNCATE audit_record_default"), "42501");
    EXPECT_EQ(std::string(conn.exec("SELECT count(*), min(action) FROM audit_record").value(0, 0)), "1");

    conn.exec(
        "INSERT INTO audit_checkpoint (instance_id, seq, head_hash, signed_at, key_id, signature) "
        "VALUES ('i1', 1, decode(repeat('11', 32), 'hex'), now(), 'k', decode(repeat('22', 64), 'hex'))");
    EXPECT_EQ(refused(conn, "UPDATE audit_checkpoint SET key_id = 'x'"), "42501");
    EXPECT_EQ(refused(conn, "DELETE FROM audit_checkpoint"), "42501");
    EXPECT_EQ(refused(conn, "TRUNCATE audit_checkpoint"), "42501");
}

TEST(AuditSchema, WriterRoleMayOnlyInsertAndSelect) {
    TestDatabase db;
    PgConn conn = db.connect();
    conn.exec("BEGIN");
    conn.exec("SET LOCAL ROLE janus_audit_writer");
    conn.exec(kInsert);
    EXPECT_EQ(std::string(conn.exec("SELECT count(*) FROM audit_record").value(0, 0)), "1");
    // Partitions for a month ahead: through the SECURITY DEFINER function only (AuditLogin.* has the limits).
    EXPECT_EQ(
        std::string(conn.exec("SELECT audit_ensure_partition(now() + interval '2 months')").value(0, 0)),
        std::string(
            conn.exec("SELECT 'audit_record_' || to_char(now() AT TIME ZONE 'UTC' + interval '2 months', 'YYYY_MM')")
                .value(0, 0)));
    // refused() runs each inside a savepoint of this transaction and rolls back to it.
    EXPECT_EQ(refused(conn, "UPDATE audit_record SET action = 'x'"), "42501");
    EXPECT_EQ(refused(conn,
                      "CREATE TABLE audit_record_evil PARTITION OF audit_record "
                      "FOR VALUES FROM ('2040-01-01') TO ('2040-02-01')"),
              "42501");
    conn.exec("ROLLBACK");
}

TEST(AuditSchema, RowsLandInTheirMonthsPartition) {
    TestDatabase db;
    PgConn conn = db.connect();
    // The last microsecond (UTC) of the month three months ago.
    std::string last =
        "date_trunc('month', now() AT TIME ZONE 'UTC' - interval '2 months') AT TIME ZONE 'UTC' - interval '1 "
        "microsecond'";
    std::string name(conn.exec("SELECT audit_ensure_partition(" + last + ")").value(0, 0));
    EXPECT_EQ(
        name,
        std::string(
            conn.exec("SELECT 'audit_record_' || to_char(now() AT TIME ZONE 'UTC' - interval '3 months', 'YYYY_MM')")
                .value(0, 0)));
    conn.exec(
        "INSERT INTO audit_record (instance_id, seq, event_time, janus_type, action, outcome, event, prev_hash, hash) "
        "VALUES ('i1', 7, " +
        last +
        ", 1, 'a', 'success', '{}', decode(repeat('00', 32), 'hex'), "
        "decode(repeat('11', 32), 'hex'))");
    EXPECT_EQ(std::string(conn.exec("SELECT tableoid::regclass::text FROM audit_record").value(0, 0)), name);
}
