// SPDX-License-Identifier: GPL-3.0-or-later
// sql/ migrations against a real, empty PostgreSQL database (cluster started by scripts/test.sh).
#include "TestDatabase.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace hipaa;
using namespace hipaa::test;

TEST(Migrations, ApplyToAnEmptyDatabaseInOrderAndOnlyOnce) {
    TestDatabase db(/*migrate=*/false);
    ASSERT_EQ(db.migrate(), 0);
    PgConn conn = db.connect();

    size_t files = 0;
    std::string newest;
    for (const auto& e : std::filesystem::directory_iterator(std::string(HIPAA_SOURCE_DIR) + "/sql")) {
        std::string name = e.path().filename().string();
        if (e.path().extension() == ".sql" && std::isdigit(static_cast<unsigned char>(name[0]))) {
            ++files;
            newest = std::max(newest, e.path().stem().string());
        }
    }
    ASSERT_GT(files, 0u);
    PgResult applied = conn.exec("SELECT count(*) FROM schema_migrations");
    EXPECT_EQ(std::string(applied.value(0, 0)), std::to_string(files));
    EXPECT_EQ(std::string(conn.exec("SELECT hipaa_schema_version()").value(0, 0)), newest);

    // A second run applies nothing and changes nothing.
    ASSERT_EQ(db.migrate(), 0);
    EXPECT_EQ(std::string(conn.exec("SELECT count(*) FROM schema_migrations").value(0, 0)), std::to_string(files));
}

TEST(Migrations, AFailingMigrationLeavesNoTrace) {
    TestDatabase db(/*migrate=*/true);
    PgConn conn = db.connect();
    std::string before(conn.exec("SELECT count(*) FROM schema_migrations").value(0, 0));
    // A broken statement in a single-transaction psql run must not record the version.
    int rc =
        std::system(("psql '" + db.conninfo() +
                     "' -qv ON_ERROR_STOP=1 --single-transaction -c 'create table half_done(x int)' "
                     "-c 'select no_such_function()' -c \"insert into schema_migrations(version) values ('999_x')\" "
                     ">/dev/null 2>&1")
                        .c_str());
    EXPECT_NE(rc, 0);
    EXPECT_EQ(std::string(conn.exec("SELECT count(*) FROM schema_migrations").value(0, 0)), before);
    EXPECT_EQ(conn.exec("SELECT to_regclass('half_done') IS NULL").value(0, 0), "t");
}

// Migrated test databases are copies of one template that scripts/migrate.sh made from this sql/,
// not a migrate.sh run each (seconds of psql per database): two copies share even the time their
// migrations were applied. The template takes no connections, so a copy never waits on a session.
TEST(Migrations, TestDatabasesAreCopiesOfOneMigratedTemplate) {
    TestDatabase a;
    TestDatabase b;
    auto applied = [](const TestDatabase& db) {
        return std::string(db.connect()
                               .exec("SELECT string_agg(version || ' ' || applied_at::text, ', ' ORDER BY version) "
                                     "FROM schema_migrations")
                               .value(0, 0));
    };
    EXPECT_EQ(applied(a), applied(b));
    EXPECT_NE(applied(a).find(std::string(a.connect().exec("SELECT hipaa_schema_version()").value(0, 0))),
              std::string::npos);

    PgConn admin = PgConn::connect({TestDatabase::clusterConninfo()});
    PgResult t = admin.exec("SELECT datistemplate, datallowconn FROM pg_database WHERE datname = '" +
                            TestDatabase::migratedTemplateName() + "'");
    ASSERT_EQ(t.rows(), 1);
    EXPECT_EQ(t.value(0, 0), "t");
    EXPECT_EQ(t.value(0, 1), "f");
}
