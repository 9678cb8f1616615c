// SPDX-License-Identifier: GPL-3.0-or-later
#include "TestDatabase.hpp"

#include "Shell.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/SecureRandom.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace hipaa::test {

namespace {

int runMigrate(const std::string& conninfo) {
    std::string cmd = std::string("bash ") + HIPAA_SOURCE_DIR + "/scripts/migrate.sh '" + conninfo + "' >/dev/null";
    return std::system(cmd.c_str());
}

// Names the schema that scripts/migrate.sh makes from this sql/: a hash of the script and of every
// file in sql/ (names and contents), so a new or changed migration gets a template of its own.
std::string schemaHash() {
    namespace fs = std::filesystem;
    std::vector<fs::path> files{fs::path(HIPAA_SOURCE_DIR) / "scripts" / "migrate.sh"};
    for (const auto& e : fs::directory_iterator(fs::path(HIPAA_SOURCE_DIR) / "sql"))
        if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin() + 1, files.end());
    Sha256 h;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::string part = f.filename().string() + '\0' + std::to_string(content.size()) + '\0' + content;
        h.update(asBytes(part));
    }
    Digest256 d = h.finish();
    return hexEncode(ByteView(d.data(), 8));
}

}  // namespace

std::string TestDatabase::clusterConninfo() {
    const char* env = std::getenv("HIPAA_TEST_PG");
    if (!env || !*env)
        throw std::runtime_error(
            "HIPAA_TEST_PG is not set: run the tests through scripts/test.sh, which starts PostgreSQL");
    // Inside scripts/netns-run.sh's network namespace the host's loopback is out of reach; the
    // cluster's socket folder (HIPAA_TEST_PG_SOCKET, set by scripts/test.sh) is a path, the same there.
    std::string conninfo = env;
    const char* socket = std::getenv("HIPAA_TEST_PG_SOCKET");
    const std::string tcp = "host=127.0.0.1";
    size_t at = conninfo.find(tcp);
    if (std::getenv("HIPAA_NETNS") && socket && *socket && at != std::string::npos)
        conninfo.replace(at, tcp.size(), std::string("host=") + socket);
    return conninfo;
}

TestDatabase::TestDatabase(bool migrateNow) {
    std::string cluster = clusterConninfo();
    name_ = "t_" + hexEncode(secureRandomBytes(6));
    PgConn admin = PgConn::connect({cluster});
    if (migrateNow)
        admin.exec("CREATE DATABASE " + name_ + " TEMPLATE " + migratedTemplate(admin));
    else
        admin.exec("CREATE DATABASE " + name_);
    conninfo_ = cluster + " dbname=" + name_;  // a later dbname overrides the earlier one
}

std::string TestDatabase::migratedTemplateName() { return "t_template_" + schemaHash(); }

// scripts/migrate.sh runs a dozen psql processes (seconds per database); a copy of a database it
// migrated once takes a fraction of a second. The template is made by the first test that needs it
// in this cluster, under an advisory lock that the others wait on; it is built under another name
// and renamed when complete, so a test killed half-way never leaves a half-migrated template.
std::string TestDatabase::migratedTemplate(PgConn& admin) {
    std::string tmpl = migratedTemplateName();
    std::string building = tmpl + "_building";
    constexpr const char* kLock = "4847414";  // any fixed key: the tests' own, in the cluster's database
    admin.exec(std::string("SELECT pg_advisory_lock(") + kLock + ")");
    if (admin.exec("SELECT 1 FROM pg_database WHERE datname = '" + tmpl + "'").rows() == 0) {
        admin.exec("DROP DATABASE IF EXISTS " + building + " WITH (FORCE)");
        admin.exec("CREATE DATABASE " + building);
        if (runMigrate(clusterConninfo() + " dbname=" + building) != 0)
            throw std::runtime_error("scripts/migrate.sh failed on " + building);
        admin.exec("ALTER DATABASE " + building + " RENAME TO " + tmpl);
        // Nobody connects to it any more: copies never wait for a session to leave.
        admin.exec("ALTER DATABASE " + tmpl + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
    }
    admin.exec(std::string("SELECT pg_advisory_unlock(") + kLock + ")");
    return tmpl;
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

int TestDatabase::migrate() const { return runMigrate(conninfo_); }

}  // namespace hipaa::test
