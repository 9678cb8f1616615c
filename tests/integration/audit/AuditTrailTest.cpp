// SPDX-License-Identifier: GPL-3.0-or-later
// The audit handler in the real Janus 1.1.2 with a real PostgreSQL database: PHI never reaches the
// database, the chain verifies, tampering is named, the stand-alone verifier agrees.
#include "AuditFixture.hpp"
#include "SqlFixtures.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace hipaa;
using namespace hipaa::test;

namespace {

const char* kDisplay = "Zelda Quixote-Patientname";
const char* kToken = "tok-HandleToken-7Q2W9X";
const char* kOpaque = "opaque-zelda.q@example.org";

JsonPtr api(JanusClient& c, const std::string& url, const std::string& body) { return c.post(url, J(body).get()); }

int64_t idOf(const JsonPtr& r) { return json_integer_value(json_object_get(json_object_get(r.get(), "data"), "id")); }

int runVerifier(const std::string& conninfo, const std::string& instance, const std::string& keyFile,
                const std::string& extra = "") {
    return auditVerify("--conninfo '" + conninfo + "' --instance '" + instance + "' --public-key '" + keyFile + "' " +
                       extra)
        .status;
}

}  // namespace

TEST(AuditTrail, VideoRoomDisplayNameAndTokenNeverReachTheDatabaseAndTamperingIsNamed) {
    TestDatabase db;
    JanusProcess janus;
    // The handler logs in as in production: a member of janus_audit_writer only, with its password.
    std::string login = db.loginConninfo("janus_audit_writer");
    setAuditKey(janus, "conninfo", "\"" + login + "\"");
    setAuditKey(janus, "instance_id", "\"it-gw1\"");
    setAuditKey(janus, "checkpoint_every", "10");
    std::string jcfg = readFile(janus.configFile("janus.jcfg"));
    jcfg.replace(jcfg.find("session_timeout"), 0, "token_auth = true\n\t");
    janus.writeConfig("janus.jcfg", jcfg);
    janus.start();
    JanusClient client(janus);

    JsonPtr added = client.admin(J(std::string(R"({"janus":"add_token","token":")") + kToken + "\"}"));
    ASSERT_EQ(jsonString(added.get(), "janus"), "success") << jsonDump(added.get());
    std::string tok = std::string("\"token\":\"") + kToken + "\"";
    int64_t session = idOf(api(client, janus.httpUrl(), R"({"janus":"create","transaction":"a",)" + tok + "}"));
    std::string surl = janus.httpUrl() + "/" + std::to_string(session);
    int64_t handle = idOf(api(client, surl,
                              R"({"janus":"attach","plugin":"janus.plugin.videoroom","transaction":"b","opaque_id":")" +
                                  std::string(kOpaque) + "\"," + tok + "}"));
    std::string hurl = surl + "/" + std::to_string(handle);
    api(client, hurl,
        R"({"janus":"message","transaction":"c",)" + tok +
            R"(,"body":{"request":"join","ptype":"publisher","room":1234,"display":")" + kDisplay + "\"}}");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    api(client, hurl, R"({"janus":"message","transaction":"d",)" + tok + R"(,"body":{"request":"leave"}})");
    api(client, hurl, R"({"janus":"detach","transaction":"e",)" + tok + "}");
    api(client, surl, R"({"janus":"destroy","transaction":"f",)" + tok + "}");

    // The join reached the trail (as a pseudonym), and everything is written.
    JsonPtr s = waitStats(client, [](const json_t* st) {
        return settled(st) && jsonInt(json_object_get(json_object_get(st, "events"), "by_type"), "64").value_or(0) >= 2;
    });
    ASSERT_TRUE(settled(s.get())) << jsonDump(s.get());
    PgConn conn = db.connect();
    EXPECT_GE(std::stoi(scalar(conn, "SELECT count(*) FROM audit_record WHERE action = 'plugin.videoroom.joined'")), 1);
    EXPECT_EQ(scalar(conn, "SELECT count(DISTINCT actor) FROM audit_record WHERE action = 'plugin.videoroom.joined'"),
              "1");
    EXPECT_EQ(scalar(conn, "SELECT min(actor) LIKE 'ps1_%' FROM audit_record WHERE action = 'plugin.videoroom.joined'"),
              "t");

    std::string dump = db.dump();
    ASSERT_NE(dump.find("plugin.videoroom.joined"), std::string::npos) << "the dump holds the trail";
    EXPECT_EQ(dump.find(kDisplay), std::string::npos);
    EXPECT_EQ(dump.find("Zelda"), std::string::npos);
    EXPECT_EQ(dump.find(kToken), std::string::npos);
    EXPECT_EQ(dump.find("HandleToken"), std::string::npos);
    EXPECT_EQ(dump.find("example.org"), std::string::npos);

    // verify passes, the stand-alone verifier agrees with only the public key.
    JsonPtr v = auditRequest(client, R"({"request":"verify","instance_id":"it-gw1"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), true) << jsonDump(v.get());
    EXPECT_GT(jsonInt(v.get(), "records_checked").value_or(0), 5);
    EXPECT_GE(jsonInt(v.get(), "checkpoints_checked").value_or(0), 1);
    JsonPtr info = auditRequest(client, R"({"request":"info"})");
    std::string pub(jsonString(info.get(), "checkpoint_public_key").value_or(""));
    ASSERT_EQ(pub.size(), 64u);
    EXPECT_EQ(jsonDump(info.get()).find(login), std::string::npos) << "conninfo is a secret";
    EXPECT_EQ(
        scalar(conn,
               "SELECT string_agg(DISTINCT usename, ' ') FROM pg_stat_activity WHERE datname = current_database() "
               "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"),
        db.name() + "_audit")
        << "the handler's connections";
    TempDir tmp;
    std::string keyFile = tmp.file("audit.pub");
    std::ofstream(keyFile) << pub << "\n";
    EXPECT_EQ(runVerifier(db.conninfo(), "it-gw1", keyFile), 0);

    // A superuser alters one row behind the triggers: verify names exactly that row.
    std::string victim = scalar(conn, "SELECT min(seq) FROM audit_record WHERE action = 'plugin.videoroom.joined'");
    conn.exec("SET session_replication_role = replica");
    conn.exec("UPDATE audit_record SET room = '4321' WHERE instance_id = 'it-gw1' AND seq = " + victim);
    conn.exec("SET session_replication_role = origin");
    v = auditRequest(client, R"({"request":"verify","instance_id":"it-gw1"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), false) << jsonDump(v.get());
    EXPECT_EQ(jsonInt(v.get(), "first_broken_seq").value_or(-1), std::stoll(victim)) << jsonDump(v.get());
    EXPECT_EQ(runVerifier(db.conninfo(), "it-gw1", keyFile), 1);
    // Another key does not verify the checkpoints.
    std::ofstream(keyFile) << std::string(64, 'a') << "\n";
    EXPECT_NE(runVerifier(db.conninfo(), "it-gw1", keyFile), 0);
    EXPECT_EQ(janus.stop(), 0);
}

TEST(AuditTrail, QueryIsPaginatedAndItselfAudited) {
    TestDatabase db;
    JanusProcess janus;
    setAuditKey(janus, "conninfo", "\"" + db.conninfo() + "\"");
    setAuditKey(janus, "instance_id", "\"it-gw2\"");
    janus.start();
    JanusClient client(janus);
    for (int i = 0; i < 3; ++i) {
        uint64_t session = client.createSession();
        uint64_t handle = client.attach(session, "janus.plugin.echotest");
        client.detach(session, handle);
        client.destroySession(session);
    }
    ASSERT_TRUE(
        settled(waitStats(client, [](const json_t* st) {
                    return settled(st) &&
                           jsonInt(json_object_get(json_object_get(st, "events"), "by_type"), "1").value_or(0) >= 6;
                }).get()));
    JsonPtr requester = auditRequest(client, R"({"request":"query","requester":"officer-7"})");
    EXPECT_EQ(jsonInt(requester.get(), "error_code"), 303) << "actor_token replaced the free-text requester";
    JsonPtr q =
        auditRequest(client, R"({"request":"query","instance_id":"it-gw2","action":"session.created","limit":2})");
    ASSERT_EQ(jsonInt(q.get(), "count"), 2) << jsonDump(q.get());
    int64_t next = jsonInt(q.get(), "next_after_seq").value_or(0);
    ASSERT_GT(next, 0);
    JsonPtr q2 = auditRequest(
        client, R"({"request":"query","instance_id":"it-gw2","action":"session.created","limit":2,"after_seq":)" +
                    std::to_string(next) + "}");
    EXPECT_EQ(jsonInt(q2.get(), "count"), 1) << jsonDump(q2.get());
    JsonPtr bad = auditRequest(client, R"({"request":"query","limit":0})");
    EXPECT_EQ(jsonInt(bad.get(), "error_code"), 401);
    JsonPtr badTime = auditRequest(client, R"({"request":"query","from_time":"yesterday-ish"})");
    EXPECT_EQ(jsonInt(badTime.get(), "error_code"), 401) << jsonDump(badTime.get());

    JsonPtr fhir = auditRequest(client, R"({"request":"export","format":"fhir","limit":3})");
    const json_t* bundle = json_object_get(fhir.get(), "bundle");
    EXPECT_EQ(jsonString(bundle, "resourceType"), "Bundle") << jsonDump(fhir.get());
    const json_t* first = json_object_get(json_array_get(json_object_get(bundle, "entry"), 0), "resource");
    EXPECT_EQ(jsonString(first, "resourceType"), "AuditEvent");
    EXPECT_TRUE(jsonString(first, "recorded").has_value());
    JsonPtr jsonl = auditRequest(client, R"({"request":"export","format":"jsonl","limit":3})");
    std::string lines(jsonString(jsonl.get(), "data").value_or(""));
    EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 3);
    EXPECT_EQ(jsonInt(auditRequest(client, R"({"request":"export","format":"csv"})").get(), "error_code"), 403);
    JsonPtr ps = auditRequest(client, R"({"request":"pseudonym","iss":"https://idp.example","sub":"patient-42"})");
    std::string pseudonym(jsonString(ps.get(), "pseudonym").value_or(""));
    EXPECT_EQ(pseudonym.rfind("ps1_", 0), 0u) << jsonDump(ps.get());

    ASSERT_TRUE(settled(waitStats(client, settled).get()));
    PgConn conn = db.connect();
    // The two pages and the query whose time PostgreSQL refused (admitted and recorded before it ran).
    EXPECT_EQ(scalar(conn, "SELECT count(*) FROM audit_record WHERE action = 'audit.query' AND actor = 'admin_secret'"),
              "3");
    EXPECT_EQ(scalar(conn, "SELECT count(*) FROM audit_record WHERE action = 'audit.export'"), "2");
    EXPECT_EQ(scalar(conn, "SELECT count(*) FROM audit_record WHERE action = 'audit.pseudonym'"), "1");
    std::string dump = db.dump();
    EXPECT_EQ(dump.find("patient-42"), std::string::npos) << "the pseudonym request stores no iss/sub";
    EXPECT_NE(dump.find(pseudonym), std::string::npos);
    EXPECT_EQ(jsonBool(auditRequest(client, R"({"request":"verify"})").get(), "ok"), true);
    EXPECT_EQ(janus.stop(), 0);
}

// Records deleted from the end of the trail by the database superuser, with the checkpoints after the
// cut: the database alone still verifies, but the handler's `verify` compares with its head file
// (outside the database) and names the cut, and so does audit-verify --head-file.
TEST(AuditTrail, VerifyNamesATrailCutShortBehindTheHeadFile) {
    TestDatabase db;
    JanusProcess janus;
    setAuditKey(janus, "conninfo", "\"" + db.loginConninfo("janus_audit_writer") + "\"");
    setAuditKey(janus, "instance_id", "\"it-gw3\"");
    setAuditKey(janus, "checkpoint_every", "5");
    janus.start();
    JanusClient client(janus);
    for (int i = 0; i < 4; ++i) client.destroySession(client.createSession());
    ASSERT_TRUE(
        settled(waitStats(client, [](const json_t* st) {
                    return settled(st) &&
                           jsonInt(json_object_get(json_object_get(st, "events"), "by_type"), "1").value_or(0) >= 8;
                }).get()));
    EXPECT_EQ(jsonBool(auditRequest(client, R"({"request":"verify"})").get(), "ok"), true);
    PgConn conn = db.connect();
    int64_t last = std::stoll(scalar(conn, "SELECT max(seq) FROM audit_record WHERE instance_id = 'it-gw3'"));
    ASSERT_GE(last, 8);
    int64_t keep = last / 2;
    conn.exec("SET session_replication_role = replica");
    conn.exec("DELETE FROM audit_record WHERE instance_id = 'it-gw3' AND seq > " + std::to_string(keep));
    conn.exec("DELETE FROM audit_checkpoint WHERE instance_id = 'it-gw3' AND seq > " + std::to_string(keep));
    conn.exec("SET session_replication_role = origin");

    // Up to the old end of the chain: the handler keeps adding records after the cut (its own events),
    // which a verify of everything reports as a gap; this range has none, only the missing tail.
    std::string range = R"({"request":"verify","instance_id":"it-gw3","to_seq":)" + std::to_string(last) + "}";
    JsonPtr v = auditRequest(client, range);
    EXPECT_EQ(jsonBool(v.get(), "ok"), false) << jsonDump(v.get());
    EXPECT_EQ(jsonString(v.get(), "reason"), "chain shorter than the head file") << jsonDump(v.get());
    EXPECT_EQ(jsonInt(v.get(), "first_broken_seq"), keep + 1) << jsonDump(v.get());
    EXPECT_EQ(janus.stop(), 0);

    TempDir tmp;
    std::string keyFile = tmp.file("audit.pub");
    std::ofstream(keyFile) << hexEncode(
                                  Ed25519Signer::fromKeyFile(janus.configDir() + "/keys/audit-signing.key").publicKey())
                           << "\n";
    std::string to = "--to " + std::to_string(last);
    EXPECT_EQ(runVerifier(db.conninfo(), "it-gw3", keyFile, to), 0) << "the database alone looks intact";
    EXPECT_EQ(runVerifier(db.conninfo(), "it-gw3", keyFile,
                          to + " --head-file '" + janus.configDir() + "/audit/it-gw3.head'"),
              1);
}
