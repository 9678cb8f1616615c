// SPDX-License-Identifier: GPL-3.0-or-later
// The FHIR handler's login (scripts/db-login.sh with janus_fhir_writer): exactly the statements the
// outbox runs (FhirExport.* and FhirConsult.* run the handler as such a login), nothing that deletes
// or rewrites the attempt trail, no DDL, nothing of the audit trail. The attempt trail refuses
// TRUNCATE even for its owner.
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace hipaa;
using namespace hipaa::test;

TEST(FhirLogin, OutboxLoginMayRunTheOutboxAndChangeNoHistory) {
    TestDatabase db;
    PgConn admin = db.connect();
    std::string login = db.loginConninfo("janus_fhir_writer");
    EXPECT_THROW(PgConn::connect({login.substr(0, login.find(" passfile=")) + " passfile=/dev/null"}), DbError)
        << "the handler login connected without a password";
    PgConn conn = PgConn::connect({login});

    // What the outbox does (plugins/fhir/outbox/Outbox.cpp), in its shapes.
    conn.exec("BEGIN");
    conn.exec("SELECT pg_advisory_xact_lock(hashtext('fhir_visit|v1'))");
    conn.exec(
        "INSERT INTO fhir_note (note_id, visit_id, sealed) VALUES ('n1', 'v1', '\\x01') ON CONFLICT DO NOTHING "
        "RETURNING 1");
    conn.exec("INSERT INTO fhir_visit (visit_id, sealed) VALUES ('v1', '\\x02') ON CONFLICT DO NOTHING RETURNING 1");
    conn.exec(
        "SELECT note_id, sealed FROM fhir_note WHERE visit_id = 'v1' AND NOT bundled ORDER BY created_at, note_id FOR "
        "UPDATE");
    std::string id = scalar(
        conn,
        "INSERT INTO fhir_outbox (visit_id, kind, sealed, instance) VALUES ('v1', 'visit', '\\x03', 'i') RETURNING id");
    conn.exec("UPDATE fhir_note SET bundled = true WHERE visit_id = 'v1' AND NOT bundled");
    conn.exec("COMMIT");
    conn.exec(
        "UPDATE fhir_outbox o SET attempts = o.attempts + 1, instance = 'i', next_attempt_at = now() + "
        "make_interval(secs => 5) "
        "FROM (SELECT id FROM fhir_outbox WHERE state = 'pending' AND next_attempt_at <= now() "
        "ORDER BY next_attempt_at, id LIMIT 4 FOR UPDATE SKIP LOCKED) due WHERE o.id = due.id "
        "RETURNING o.id, o.visit_id, o.kind, o.sealed, o.attempts");
    conn.exec(
        "WITH u AS (UPDATE fhir_outbox SET state = 'dead', sent_at = NULL, dead_at = now(), sealed = sealed, "
        "next_attempt_at = next_attempt_at, last_status = 400, last_error = 'e', outcome = '{}'::jsonb, "
        "resource_ids = resource_ids WHERE id = " +
        id +
        " RETURNING id, attempts) "
        "INSERT INTO fhir_outbox_attempt (outbox_id, instance, attempt, result, http_status, error, resource_ids, "
        "alert) "
        "SELECT id, 'i', attempts, 'dead', 400, 'e', '{}'::text[], true FROM u");
    conn.exec(
        "UPDATE fhir_outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL "
        "WHERE state = 'dead' RETURNING id");
    conn.exec("SELECT count(*), (SELECT count(*) FROM fhir_note WHERE NOT bundled) FROM fhir_outbox");

    conn.exec("BEGIN");
    // The attempt trail: append-only.
    EXPECT_EQ(refused(conn, "UPDATE fhir_outbox_attempt SET result = 'sent'"), "42501");
    EXPECT_EQ(refused(conn, "DELETE FROM fhir_outbox_attempt"), "42501");
    EXPECT_EQ(refused(conn, "TRUNCATE fhir_outbox_attempt"), "42501");
    EXPECT_EQ(refused(conn, "SELECT count(*) FROM fhir_outbox_attempt"), "42501");
    // Visits, notes and bundles: never deleted, their identity never rewritten.
    for (const char* table : {"fhir_visit", "fhir_note", "fhir_outbox", "fhir_outbox_attempt"}) {
        SCOPED_TRACE(table);
        std::string t(table);
        EXPECT_EQ(refused(conn, "DELETE FROM " + t), "42501");
        EXPECT_EQ(refused(conn, "TRUNCATE " + t), "42501");
        EXPECT_EQ(refused(conn, "TRUNCATE " + t + " CASCADE"), "42501");
        EXPECT_EQ(refused(conn, "ALTER TABLE " + t + " DISABLE TRIGGER ALL"), "42501");
        EXPECT_EQ(refused(conn, "ALTER TABLE " + t + " ADD COLUMN x text"), "42501");
        EXPECT_EQ(refused(conn, "DROP TABLE " + t + " CASCADE"), "42501");
    }
    EXPECT_EQ(refused(conn, "UPDATE fhir_visit SET sealed = '\\x00'"), "42501");
    EXPECT_EQ(refused(conn, "UPDATE fhir_note SET sealed = '\\x00'"), "42501");
    EXPECT_EQ(refused(conn, "UPDATE fhir_outbox SET visit_id = 'other'"), "42501");
    EXPECT_EQ(refused(conn, "UPDATE fhir_outbox SET created_at = now()"), "42501");
    EXPECT_EQ(refused(conn, "DROP TRIGGER fhir_outbox_attempt_no_change ON fhir_outbox_attempt"), "42501");
    EXPECT_EQ(refused(conn, "DROP FUNCTION fhir_outbox_attempt_append_only() CASCADE"), "42501");
    EXPECT_EQ(refused(conn, "SELECT setval('fhir_outbox_attempt_id_seq', 1)"), "42501");
    EXPECT_EQ(refused(conn, "CREATE TABLE public.evil (x int)"), "42501");
    // Nothing of the audit trail.
    EXPECT_EQ(refused(conn, "SELECT count(*) FROM audit_record"), "42501");
    EXPECT_EQ(refused(conn, "SELECT audit_ensure_partition(now())"), "42501");
    EXPECT_EQ(refused(conn, "TRUNCATE audit_record"), "42501");
    EXPECT_EQ(refused(conn, "ALTER TABLE audit_record DETACH PARTITION audit_record_default"), "42501");
    EXPECT_EQ(refused(conn, "DROP TABLE audit_checkpoint"), "42501");
    conn.exec("ROLLBACK");

    EXPECT_EQ(scalar(admin, "SELECT count(*) || ' ' || min(result) FROM fhir_outbox_attempt"), "1 dead");
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'fhir_%' AND tgenabled <> 'O'"), "0");
}

TEST(FhirLogin, AttemptTrailRefusesTruncateEvenForItsOwner) {
    TestDatabase db;
    PgConn admin = db.connect();
    admin.exec("INSERT INTO fhir_outbox (visit_id, kind, sealed) VALUES ('v1', 'visit', '\\x03')");
    admin.exec(
        "INSERT INTO fhir_outbox_attempt (outbox_id, instance, attempt, result) SELECT id, 'i', 1, 'retry' FROM "
        "fhir_outbox");
    admin.exec("BEGIN");
    admin.exec("SET LOCAL ROLE janus_hipaa_owner");
    EXPECT_EQ(refused(admin, "TRUNCATE fhir_outbox_attempt"), "42501");
    EXPECT_EQ(refused(admin, "TRUNCATE fhir_outbox CASCADE"), "42501");
    EXPECT_EQ(refused(admin, "DELETE FROM fhir_outbox_attempt"), "42501");
    admin.exec("ROLLBACK");
    EXPECT_EQ(refused(admin, "TRUNCATE fhir_outbox_attempt"), "42501")
        << "the superuser too, while the trigger is enabled";
    EXPECT_EQ(scalar(admin, "SELECT count(*) FROM fhir_outbox_attempt"), "1");
}
