// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A fresh database with every sql/ migration applied, in the PostgreSQL cluster that scripts/test.sh
// started (env HIPAA_TEST_PG, a libpq conninfo). Without it the test fails: integration tests never
// silently skip their database. Migrated databases are copies of a template that scripts/migrate.sh
// migrated once per cluster and sql/ (database t_template_<hash of sql/ and migrate.sh>); a test of
// the migrations themselves starts from an empty database (migrate = false) and calls migrate().
#include "TempDir.hpp"

#include "hipaa/PgConn.hpp"

#include <string>
#include <vector>

namespace hipaa::test {

class TestDatabase {
public:
    explicit TestDatabase(bool migrate = true);
    ~TestDatabase();  // drops the database
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& conninfo() const { return conninfo_; }
    const std::string& name() const { return name_; }
    PgConn connect() const;
    // The whole database as text (pg_dump --data-only: every table, every row).
    std::string dump() const;
    // Applies sql/ with scripts/migrate.sh; returns its exit status.
    int migrate() const;
    // A login of this database's own, member of `role` (janus_audit_writer, janus_fhir_writer,
    // janus_room_state or janus_recorder_state), made by scripts/db-login.sh as scripts/run.sh makes the
    // handlers' logins: its conninfo names a 0600 password file (scram-sha-256; the cluster trusts only
    // its superuser). What a handler connects with in production. Made on the first call per role,
    // dropped with the database.
    std::string loginConninfo(const std::string& role);
    // The cluster's conninfo (database "hipaa"), from HIPAA_TEST_PG.
    static std::string clusterConninfo();
    // The template's name for the current sql/ and scripts/migrate.sh (a hash of their contents).
    static std::string migratedTemplateName();

private:
    // The name of the migrated template of the current sql/, made if the cluster has none yet.
    static std::string migratedTemplate(PgConn& admin);

    std::string name_, conninfo_;
    TempDir passfiles_;
    std::vector<std::string> logins_;
};

}  // namespace hipaa::test
