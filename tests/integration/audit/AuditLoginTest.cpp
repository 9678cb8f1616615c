// SPDX-License-Identifier: GPL-3.0-or-later
// The audit handler's login (scripts/db-login.sh, as scripts/run.sh creates it): a password is
// required, it may add to the trail and read it, and nothing it can do changes history: no UPDATE,
// DELETE, TRUNCATE, ALTER (triggers, columns, partitions), DROP, and no partition outside a few
// months around now, however it calls audit_ensure_partition.
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <utility>

using namespace hipaa;
using namespace hipaa::test;

namespace {

const char* kInsert =
    "INSERT INTO audit_record (instance_id, seq, event_time, janus_type, action, outcome, event, prev_hash, hash) "
    "VALUES ('i1', 1, now(), 1, 'session.created', 'success', '{}', decode(repeat('00', 32), 'hex'), "
    "decode(repeat('11', 32), 'hex'))";

// "YYYY_MM" of now() + `months` (UTC), as partition names spell it.
std::string monthName(PgConn& c, int months) {
    return scalar(
        c, "SELECT to_char((now() AT TIME ZONE 'UTC') + interval '" + std::to_string(months) + " months', 'YYYY_MM')");
}

}  // namespace

TEST(AuditLogin, ConnectsOnlyWithItsPassword) {
    TestDatabase db;
    std::string login = db.loginConninfo("janus_audit_writer");
    PgConn conn = PgConn::connect({login});
    EXPECT_EQ(
        scalar(conn, "SELECT current_user = session_user AND NOT rolsuper FROM pg_roles WHERE rolname = current_user"),
        "t");
    // The same login without its password file: refused (no trust authentication for handler logins).
    std::string noPassword = login.substr(0, login.find(" passfile=")) + " passfile=/dev/null";
    EXPECT_THROW(PgConn::connect({noPassword}), DbError) << "the handler login connected without a password";
}

TEST(AuditLogin, EveryChangeOfHistoryIsRefused) {
    TestDatabase db;
    PgConn admin = db.connect();
    std::string partition = "audit_record_" + monthName(admin, 0);
    PgConn conn = PgConn::connect({db.loginConninfo("janus_audit_writer")});
    conn.exec(kInsert);
    conn.exec(
        "INSERT INTO audit_checkpoint (instance_id, seq, head_hash, signed_at, key_id, signature) "
        "VALUES ('i1', 1, decode(repeat('11', 32), 'hex'), now(), 'k', decode(repeat('22', 64), 'hex'))");
    EXPECT_EQ(scalar(conn, "SELECT tableoid::regclass::text FROM audit_record"), partition);

    conn.exec("BEGIN");
    for (const std::string& table : {std::string("audit_record"), partition, std::string("audit_record_default"),
                                     std::string("audit_checkpoint")}) {
        SCOPED_TRACE(table);
        EXPECT_EQ(refused(conn, "UPDATE " + table + " SET instance_id = 'x'"), "42501");
        EXPECT_EQ(refused(conn, "DELETE FROM " + table), "42501");
        EXPECT_EQ(refused(conn, "TRUNCATE " + table), "42501");
        EXPECT_EQ(refused(conn, "ALTER TABLE " + table + " DISABLE TRIGGER ALL"), "42501");
        EXPECT_EQ(refused(conn, "ALTER TABLE " + table + " DISABLE TRIGGER USER"), "42501");
        EXPECT_EQ(refused(conn, "ALTER TABLE " + table + " ADD COLUMN note text"), "42501");
        EXPECT_EQ(refused(conn, "ALTER TABLE " + table + " RENAME TO gone"), "42501");
        EXPECT_EQ(refused(conn, "ALTER TABLE " + table + " OWNER TO " + scalar(conn, "SELECT current_user")), "42501");
        EXPECT_EQ(refused(conn, "DROP TABLE " + table), "42501");
    }
    EXPECT_EQ(refused(conn, "ALTER TABLE audit_record DETACH PARTITION " + partition), "42501");
    EXPECT_EQ(refused(conn, "ALTER TABLE audit_record DETACH PARTITION audit_record_default"), "42501");
    EXPECT_EQ(refused(conn,
                      "CREATE TABLE audit_record_evil PARTITION OF audit_record FOR VALUES FROM ('2040-01-01') TO "
                      "('2040-02-01')"),
              "42501");
    EXPECT_EQ(refused(conn, "CREATE TABLE public.evil (x int)"), "42501");
    EXPECT_EQ(refused(conn, "DROP FUNCTION audit_ensure_partition(timestamptz)"), "42501");
    EXPECT_EQ(refused(conn, "ALTER FUNCTION audit_ensure_partition(timestamptz) SECURITY INVOKER"), "42501");
    EXPECT_EQ(refused(conn,
                      "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
                      "$$ BEGIN RETURN NEW; END $$"),
              "42501");
    EXPECT_EQ(refused(conn, "DROP TRIGGER audit_record_append_only ON audit_record"), "42501");
    EXPECT_EQ(refused(conn, "SET session_replication_role = replica"), "42501");
    // Nothing of the FHIR outbox either.
    EXPECT_EQ(refused(conn, "SELECT count(*) FROM fhir_outbox"), "42501");
    EXPECT_EQ(refused(conn, "SELECT count(*) FROM fhir_outbox_attempt"), "42501");
    EXPECT_EQ(refused(conn, "DELETE FROM fhir_outbox_attempt"), "42501");
    EXPECT_EQ(refused(conn, "TRUNCATE fhir_outbox_attempt"), "42501");
    EXPECT_EQ(refused(conn, "DROP TABLE fhir_outbox_attempt"), "42501");
    conn.exec("ROLLBACK");

    EXPECT_EQ(scalar(admin, "SELECT count(*) || ' ' || min(instance_id) FROM audit_record"), "1 i1");
    EXPECT_EQ(scalar(admin, "SELECT count(*) || ' ' || min(key_id) FROM audit_checkpoint"), "1 k");
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'audit_%' AND tgenabled <> 'O'"), "0");
}

// audit_ensure_partition runs as the schema's owner: a temporary table of the writer's own must not
// shadow the partition it checks for, and a writer must not create partitions for any month it likes.
TEST(AuditLogin, EnsurePartitionIgnoresTemporaryTablesAndFarMonths) {
    TestDatabase db;
    PgConn admin = db.connect();
    std::string lastMonth = "audit_record_" + monthName(admin, -1);
    ASSERT_EQ(scalar(admin, "SELECT to_regclass('public." + lastMonth + "') IS NULL"), "t")
        << "migrations create this month and the next";
    PgConn conn = PgConn::connect({db.loginConninfo("janus_audit_writer")});

    // A temporary table named like last month's partition: the partition is still created in public.
    conn.exec("CREATE TEMP TABLE " + lastMonth + " (x int)");
    EXPECT_EQ(scalar(conn, "SELECT audit_ensure_partition(now() - interval '1 month')"), lastMonth);
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM pg_inherits WHERE inhrelid = to_regclass('public." + lastMonth +
                                "') AND inhparent = 'public.audit_record'::regclass"),
              "1")
        << "a temporary table shadowed the partition";
    conn.exec(
        "INSERT INTO audit_record (instance_id, seq, event_time, janus_type, action, outcome, event, prev_hash, hash) "
        "VALUES ('i1', 1, now() - interval '1 month', 1, 'a', 'success', '{}', decode(repeat('00', 32), 'hex'), "
        "decode(repeat('11', 32), 'hex'))");
    EXPECT_EQ(scalar(admin, "SELECT tableoid::regclass::text FROM audit_record"), lastMonth);

    // Far months: no partition (rows of such a month go to the default partition, as for clock skew).
    for (const char* ts : {"2999-01-15 00:00:00+00", "1999-06-01 00:00:00+00", "infinity", "-infinity"}) {
        SCOPED_TRACE(ts);
        EXPECT_EQ(scalar(conn, std::string("SELECT audit_ensure_partition('") + ts + "')"), "audit_record_default");
    }
    EXPECT_EQ(scalar(conn, "SELECT audit_ensure_partition(now() + interval '6 months')"), "audit_record_default");
    EXPECT_EQ(scalar(conn, "SELECT audit_ensure_partition(NULL)"), "audit_record_default");
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM pg_class WHERE relname ~ '^audit_record_(2999|1999)'"), "0");
    // Two months ahead is still allowed (the writer keeps the next month ready), with UTC month
    // boundaries whatever the session's time zone and date style.
    conn.exec("SET TimeZone = 'Pacific/Kiritimati'");
    conn.exec("SET DateStyle = 'SQL, DMY'");
    std::string ahead = "audit_record_" + monthName(admin, 2);
    EXPECT_EQ(scalar(conn, "SELECT audit_ensure_partition(now() + interval '2 months')"), ahead);
    std::string start = "(date_trunc('month', now() AT TIME ZONE 'UTC' + interval '2 months') AT TIME ZONE 'UTC')";
    const std::pair<std::string, std::string> rows[] = {
        {start, ahead},
        {start + " - interval '1 microsecond'", "audit_record_" + monthName(admin, 1)},
        {start + " + interval '1 month' - interval '1 microsecond'", ahead}};
    int seq = 1;
    for (const auto& [at, expected] : rows) {
        SCOPED_TRACE(at);
        std::string s = std::to_string(seq++);
        admin.exec(
            "INSERT INTO audit_record (instance_id, seq, event_time, janus_type, action, outcome, event, prev_hash, "
            "hash) "
            "VALUES ('b', " +
            s + ", " + at +
            ", 1, 'a', 'success', '{}', decode(repeat('00', 32), 'hex'), "
            "decode(repeat('11', 32), 'hex'))");
        EXPECT_EQ(
            scalar(admin, "SELECT tableoid::regclass::text FROM audit_record WHERE instance_id = 'b' AND seq = " + s),
            expected);
    }
}

// Every table, partition, sequence, function and the schema itself belong to a role that cannot log
// in: no login owns history (owners may disable triggers, detach and drop partitions).
TEST(AuditLogin, SchemaIsOwnedByARoleThatCannotLogIn) {
    TestDatabase db;
    PgConn admin = db.connect();
    PgConn conn = PgConn::connect({db.loginConninfo("janus_audit_writer")});
    conn.exec("SELECT audit_ensure_partition(now() - interval '2 months')");  // one created by the writer too
    EXPECT_EQ(
        scalar(admin, "SELECT rolcanlogin::text || rolsuper::text FROM pg_roles WHERE rolname = 'janus_hipaa_owner'"),
        "falsefalse");
    EXPECT_EQ(scalar(admin,
                     "SELECT string_agg(relname || ':' || relowner::regrole::text, ' ') FROM pg_class "
                     "WHERE relnamespace = 'public'::regnamespace AND relowner <> 'janus_hipaa_owner'::regrole"),
              "")
        << "relations not owned by janus_hipaa_owner";
    EXPECT_EQ(scalar(admin,
                     "SELECT string_agg(proname || ':' || proowner::regrole::text, ' ') FROM pg_proc "
                     "WHERE pronamespace = 'public'::regnamespace AND proowner <> 'janus_hipaa_owner'::regrole"),
              "")
        << "functions not owned by janus_hipaa_owner";
    EXPECT_EQ(scalar(admin, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'"),
              "janus_hipaa_owner");
    EXPECT_EQ(scalar(admin, "SELECT has_schema_privilege('public', 'public', 'CREATE')"), "f");
    // No login is a member of the owner role (a member could act as the owner).
    EXPECT_EQ(scalar(admin,
                     "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                     "WHERE m.roleid = 'janus_hipaa_owner'::regrole"),
              "0");
}

// A database migrated before 102/401 (rows, partitions, owned by the superuser that migrated it) gets
// the same owner, grants and function when scripts/migrate.sh runs again, and keeps its rows.
TEST(AuditLogin, AnExistingDatabaseIsUpgraded) {
    TestDatabase db(/*migrate=*/false);
    PgConn admin = db.connect();
    admin.exec(
        "CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    for (const char* v :
         {"001_foundation", "100_audit_trail", "101_audit_drop_redundant_seq_index", "400_fhir_outbox"}) {
        std::string cmd = "psql '" + db.conninfo() + "' -qv ON_ERROR_STOP=1 --single-transaction -f " +
                          HIPAA_SOURCE_DIR + "/sql/" + v +
                          ".sql -c \"INSERT INTO schema_migrations (version) VALUES ('" + v + "')\" >/dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << v;
    }
    admin.exec(kInsert);
    admin.exec("INSERT INTO fhir_outbox (visit_id, kind, sealed) VALUES ('v1', 'visit', '\\x01')");
    ASSERT_EQ(scalar(admin, "SELECT relowner::regrole::text FROM pg_class WHERE relname = 'audit_record'"), "postgres");

    ASSERT_EQ(db.migrate(), 0);
    EXPECT_EQ(scalar(admin,
                     "SELECT string_agg(relname, ' ') FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                     "AND relowner <> 'janus_hipaa_owner'::regrole"),
              "");
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM audit_record"), "1");
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM fhir_outbox"), "1");
    PgConn conn = PgConn::connect({db.loginConninfo("janus_audit_writer")});
    EXPECT_EQ(scalar(conn, "SELECT audit_ensure_partition('2999-01-01+00')"), "audit_record_default");
    EXPECT_EQ(refused(conn, "TRUNCATE audit_record"), "42501");
    ASSERT_EQ(db.migrate(), 0) << "idempotent";
}
