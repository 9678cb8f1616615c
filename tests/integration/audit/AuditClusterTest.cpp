// SPDX-License-Identifier: GPL-3.0-or-later
// Two real Janus instances (general.instance_id it-a and it-b, each its own signing key) write their
// chains into one database: `verify` on one of them checks both (the other's checkpoints with the key
// from chain.trusted_keys_file), a row of it-b rewritten by the superuser breaks it-b only,
// audit-verify prints one line per chain, and `query` pages across both with its cursor.
#include "AuditFixture.hpp"
#include "SqlFixtures.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Encoding.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <set>

using namespace hipaa;
using namespace hipaa::test;

namespace {

std::string publicKeyOf(const JanusProcess& janus) {
    return hexEncode(Ed25519Signer::fromKeyFile(janus.configDir() + "/keys/audit-signing.key").publicKey());
}

const json_t* chainOf(const json_t* verify, const std::string& instance) {
    size_t i;
    json_t* r;
    json_array_foreach(json_object_get(verify, "instances"), i,
                       r) if (jsonString(r, "instance_id") == instance) return r;
    return nullptr;
}

}  // namespace

TEST(AuditCluster, TwoInstancesInOneDatabaseAreVerifiedQueriedAndCheckedOneByOne) {
    TestDatabase db;
    JanusProcess a, b;
    std::string trusted = a.configFile("keys/audit-trusted-keys");
    a.writeConfig("keys/audit-trusted-keys", "# the other instances\nit-b " + publicKeyOf(b) + "\n");
    setAuditKey(a, "trusted_keys_file", "\"" + trusted + "\"");
    for (auto [janus, id] : {std::pair{&a, "it-a"}, std::pair{&b, "it-b"}}) {
        setAuditKey(*janus, "conninfo", "\"" + db.loginConninfo("janus_audit_writer") + "\"");
        setAuditKey(*janus, "instance_id", std::string("\"") + id + "\"");
        setAuditKey(*janus, "checkpoint_every", "3");
        janus->start();
    }
    JanusClient ca(a), cb(b);
    for (int i = 0; i < 4; ++i) {  // interleaved in time
        ca.destroySession(ca.createSession());
        cb.destroySession(cb.createSession());
    }
    for (JanusClient* c : {&ca, &cb})
        ASSERT_TRUE(
            settled(waitStats(*c, [](const json_t* st) {
                        return settled(st) &&
                               jsonInt(json_object_get(json_object_get(st, "events"), "by_type"), "1").value_or(0) >= 8;
                    }).get()));

    // verify without instance_id: both chains, it-b's checkpoints with its key from the file.
    JsonPtr v = auditRequest(ca, R"({"request":"verify"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), true) << jsonDump(v.get());
    ASSERT_EQ(json_array_size(json_object_get(v.get(), "instances")), 2u) << jsonDump(v.get());
    for (const char* id : {"it-a", "it-b"}) {
        const json_t* r = chainOf(v.get(), id);
        ASSERT_TRUE(r) << id << jsonDump(v.get());
        EXPECT_EQ(jsonBool(r, "ok"), true) << jsonDump(r);
        EXPECT_GE(jsonInt(r, "records_checked").value_or(0), 8) << jsonDump(r);
        EXPECT_GE(jsonInt(r, "checkpoints_checked").value_or(0), 2) << jsonDump(r);
    }
    // Without it-b's key (the file is re-read at every verify) its checkpoints are not trusted; ours are.
    a.writeConfig("keys/audit-trusted-keys", "# nobody\n");
    v = auditRequest(ca, R"({"request":"verify"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), false);
    EXPECT_EQ(jsonBool(chainOf(v.get(), "it-a"), "ok"), true) << jsonDump(v.get());
    EXPECT_EQ(jsonString(chainOf(v.get(), "it-b"), "reason"),
              "checkpoint signed by a key not trusted for this instance")
        << jsonDump(v.get());
    ::chmod(trusted.c_str(), 0664);
    EXPECT_EQ(jsonInt(auditRequest(ca, R"({"request":"verify"})").get(), "error_code"), 310)
        << "a trusted keys file others may write";
    a.writeConfig("keys/audit-trusted-keys", "it-b " + publicKeyOf(b) + "\n");

    // query pages across both instances in (event_time, instance_id, seq) order: no duplicate, no gap.
    PgConn conn = db.connect();
    std::vector<std::string> expected;
    PgResult all = conn.exec(
        "SELECT instance_id || ':' || seq FROM audit_record WHERE action = 'session.created' "
        "ORDER BY event_time, instance_id, seq");
    for (int i = 0; i < all.rows(); ++i) expected.emplace_back(all.value(i, 0));
    ASSERT_EQ(expected.size(), 8u);
    std::vector<std::string> paged;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
        JsonPtr q = auditRequest(ca, R"({"request":"query","action":"session.created",)"
                                     R"("limit":3)" +
                                         (cursor.empty() ? "" : ",\"cursor\":\"" + cursor + "\"") + "}");
        size_t i;
        json_t* rec;
        json_array_foreach(json_object_get(q.get(), "records"), i, rec)
            paged.push_back(std::string(jsonString(rec, "instance_id").value_or("?")) + ":" +
                            std::to_string(jsonInt(rec, "seq").value_or(0)));
        EXPECT_FALSE(json_object_get(q.get(), "next_after_seq")) << "after_seq is for one instance";
        cursor = std::string(jsonString(q.get(), "next_cursor").value_or(""));
        if (cursor.empty()) break;
    }
    EXPECT_EQ(paged, expected);
    EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()).size(), 8u);
    for (const char* bad : {R"("after_seq":0)", R"("cursor":"c1:1:1:it-a","instance_id":"it-a")", R"("cursor":"c1:x")"})
        EXPECT_EQ(jsonInt(auditRequest(ca, std::string(R"({"request":"query",)") + bad + "}").get(), "error_code"), 401)
            << bad;

    // audit-verify: one line per chain, exit 0; then a row of it-b rewritten behind the triggers.
    TempDir tmp;
    std::string keys = tmp.file("trusted-keys");
    std::ofstream(keys) << "it-a " << publicKeyOf(a) << "\nit-b " << publicKeyOf(b) << "\n";
    ::chmod(keys.c_str(), 0644);
    std::string args = "--conninfo '" + db.conninfo() + "' --trusted-keys '" + keys + "'";
    Shell::Result ok = auditVerify(args);
    EXPECT_EQ(ok.status, 0) << ok.out;
    EXPECT_EQ(std::count(ok.out.begin(), ok.out.end(), '\n'), 2) << ok.out;
    EXPECT_NE(ok.out.find("it-b records="), std::string::npos) << ok.out;

    std::string victim = scalar(conn,
                                "SELECT min(seq) FROM audit_record WHERE instance_id = 'it-b' AND "
                                "action = 'session.destroyed'");
    conn.exec("SET session_replication_role = replica");
    conn.exec("UPDATE audit_record SET session_id = 42 WHERE instance_id = 'it-b' AND seq = " + victim);
    conn.exec("SET session_replication_role = origin");
    v = auditRequest(ca, R"({"request":"verify"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), false);
    EXPECT_EQ(jsonBool(chainOf(v.get(), "it-a"), "ok"), true) << jsonDump(v.get());
    EXPECT_EQ(jsonBool(chainOf(v.get(), "it-b"), "ok"), false) << jsonDump(v.get());
    EXPECT_EQ(jsonInt(chainOf(v.get(), "it-b"), "first_broken_seq"), std::stoll(victim)) << jsonDump(v.get());
    Shell::Result broken = auditVerify(args);
    EXPECT_EQ(broken.status, 1) << broken.out;
    EXPECT_NE(broken.out.find("BROKEN at seq " + victim + ": record content does not match its hash"),
              std::string::npos)
        << broken.out;
    std::string lineA = broken.out.substr(broken.out.find("it-a "));
    EXPECT_EQ(lineA.substr(0, lineA.find('\n')).ends_with(" OK"), true) << broken.out;
    EXPECT_EQ(a.stop(), 0);
    EXPECT_EQ(b.stop(), 0);
}
