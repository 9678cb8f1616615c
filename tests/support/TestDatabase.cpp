// SPDX-License-Identifier: GPL-3.0-or-later
#include "TestDatabase.hpp"

#include "Shell.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/SecureRandom.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace hipaa::test {

std::string TestDatabase::clusterConninfo() {
    const char* env = std::getenv("HIPAA_TEST_PG");
    if (!env || !*env)
        throw std::runtime_error(
            "HIPAA_TEST_PG is not set: run the tests through scripts/test.sh, which starts PostgreSQL");
    return env;
}

TestDatabase::TestDatabase(bool migrateNow) {
    std::string cluster = clusterConninfo();
    name_ = "t_" + hexEncode(secureRandomBytes(6));
    PgConn admin = PgConn::connect({cluster});
    admin.exec("CREATE DATABASE " + name_);
    conninfo_ = cluster + " dbname=" + name_;  // a later dbname overrides the earlier one
    if (migrateNow && migrate() != 0) throw std::runtime_error("scripts/migrate.sh failed on " + name_);
}

TestDatabase::~TestDatabase() {
    try {
        PgConn admin = PgConn::connect({clusterConninfo()});
        admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        for (const auto& login : logins_) admin.exec("DROP ROLE IF EXISTS " + login);
    } catch (...) {
    }
}

PgConn TestDatabase::connect() const { return PgConn::connect({conninfo_}); }

std::string TestDatabase::dump() const {
    Shell::Result r = Shell::run("pg_dump --data-only --no-owner '" + conninfo_ + "'");
    if (r.status != 0) throw std::runtime_error("pg_dump failed on " + name_);
    return r.out;
}

std::string TestDatabase::loginConninfo(const std::string& role) {
    std::string login = name_ + (role == "janus_fhir_writer"      ? "_fhir"
                                 : role == "janus_room_state"     ? "_room"
                                 : role == "janus_recorder_state" ? "_recorder"
                                                                  : "_audit");
    std::string passfile = passfiles_.file(login + ".pgpass");
    if (std::find(logins_.begin(), logins_.end(), login) == logins_.end()) {
        logins_.push_back(login);  // dropped even if the script fails half-way
        std::string cmd = std::string("bash ") + HIPAA_SOURCE_DIR + "/scripts/db-login.sh '" + conninfo_ + "' " +
                          login + " " + role + " '" + passfile + "'";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("scripts/db-login.sh failed for " + role);
    }
    return conninfo_ + " user=" + login + " passfile=" + passfile;
}

int TestDatabase::migrate() const {
    std::string cmd = std::string("bash ") + HIPAA_SOURCE_DIR + "/scripts/migrate.sh '" + conninfo_ + "' >/dev/null";
    return std::system(cmd.c_str());
}

}  // namespace hipaa::test
