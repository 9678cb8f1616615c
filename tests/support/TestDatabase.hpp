#pragma once
// A fresh database with every sql/ migration applied, in the PostgreSQL cluster that scripts/test.sh
// started (env HIPAA_TEST_PG, a libpq conninfo). Without it the test fails: integration tests never
// silently skip their database.
#include "hipaa/PgConn.hpp"

#include <string>

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
    // Applies sql/ with scripts/migrate.sh; returns its exit status.
    int migrate() const;
    // The cluster's conninfo (database "hipaa"), from HIPAA_TEST_PG.
    static std::string clusterConninfo();

private:
    std::string name_, conninfo_;
};

}  // namespace hipaa::test
