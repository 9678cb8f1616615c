// SPDX-License-Identifier: GPL-3.0-or-later
// The built janus-hipaa binary against the real Debian Janus with our four plugins (audit trail and
// FHIR outbox in a fresh PostgreSQL database): status, rooms, a refusal, revoke, audit verify, the
// secret file's rules and a wrong secret. One Janus for the whole suite (a few seconds).
#include "ClientTab.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "NodeScript.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Json.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <regex>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;

namespace {

const std::string kCli = std::string(HIPAA_BUILD_DIR) + "/plugins/cli/janus-hipaa";

struct Outcome {
    int status = -1;
    std::string out, err;
};

// `text` with the value of `key = "..."` in `category: { }` replaced.
std::string setValue(std::string text, const std::string& key, const std::string& value) {
    std::regex line("(\\n\\s*" + key + " = )\"[^\"]*\"");
    if (!std::regex_search(text, line)) throw std::runtime_error("no " + key + " in the generated config");
    return std::regex_replace(text, line, "$1\"" + value + "\"", std::regex_constants::format_first_only);
}

class CliGateway : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        db_ = std::make_unique<TestDatabase>();
        janus_ = std::make_unique<JanusProcess>();
        for (const char* f : {"janus.eventhandler.hipaa.audit.jcfg", "janus.eventhandler.hipaa.fhir.jcfg"})
            janus_->writeConfig(f, setValue(readFile(janus_->configFile(f)), "conninfo", db_->conninfo()));
        janus_->start();
    }
    static void TearDownTestSuite() {
        janus_.reset();
        db_.reset();
    }

    // Runs the binary with the suite's Admin API and secret file (unless `args` name others).
    static Outcome cli(const std::string& args, const std::string& input = "", bool defaults = true,
                       const std::string& environment = "") {
        TempDir io;
        std::string in = io.write("in", input), out = io.file("out"), err = io.file("err");
        std::string command = environment + kCli + " " + args;
        if (defaults)
            command += " --admin-url " + janus_->adminUrl() + " --secret-file " + janus_->configFile("admin_secret");
        int raw = std::system((command + " <" + in + " >" + out + " 2>" + err).c_str());
        Outcome r;
        r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
        r.out = readFile(out);
        r.err = readFile(err);
        return r;
    }

    static std::unique_ptr<TestDatabase> db_;
    static std::unique_ptr<JanusProcess> janus_;
};

std::unique_ptr<TestDatabase> CliGateway::db_;
std::unique_ptr<JanusProcess> CliGateway::janus_;

}  // namespace

TEST_F(CliGateway, StatusShowsAllFourPluginsRunning) {
    Outcome r = cli("status");
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    for (const char* p : {"janus.plugin.hipaa.room ", "janus.plugin.hipaa.recorder ", "janus.eventhandler.hipaa.audit ",
                          "janus.eventhandler.hipaa.fhir "})
        EXPECT_TRUE(std::regex_search(r.out, std::regex(std::string("\\n") + p + " *running +0\\.1\\.0 ")))
            << p << " in:\n"
            << r.out;

    Outcome j = cli("status --json");
    ASSERT_EQ(j.status, 0) << j.err;
    JsonPtr all = jsonParse(j.out);
    ASSERT_EQ(json_object_size(all.get()), 4u) << j.out;
    const json_t* room = json_object_get(all.get(), "janus.plugin.hipaa.room");
    EXPECT_EQ(jsonString(json_object_get(room, "info"), "plugin").value_or(""), "janus.plugin.hipaa.room");
    EXPECT_TRUE(
        jsonBool(json_object_get(json_object_get(all.get(), "janus.eventhandler.hipaa.audit"), "health"), "healthy")
            .value_or(false))
        << j.out;
    EXPECT_EQ(jsonString(json_object_get(all.get(), "janus.eventhandler.hipaa.fhir"), "state").value_or(""), "running");
}

TEST_F(CliGateway, RoomsListsARoomOnceItIsCreated) {
    Outcome made = cli("rooms create cli-room-1");
    ASSERT_EQ(made.status, 0) << made.err;
    EXPECT_EQ(made.out, "cli-room-1\n");
    JsonPtr seen = JanusClient(*janus_).messagePlugin("janus.plugin.hipaa.room",
                                                      J(R"({"request":"info","room":"cli-room-1"})").get());
    EXPECT_EQ(jsonString(seen.get(), "class").value_or(""), "default") << jsonDump(seen.get());
    Outcome r = cli("rooms");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\\ncli-room-1 +default +open +0 +0\\n"))) << r.out;
    Outcome j = cli("rooms list --json");
    ASSERT_EQ(j.status, 0) << j.err;
    JsonPtr answer = jsonParse(j.out);
    EXPECT_EQ(jsonString(answer.get(), "hipaa.room").value_or(""), "success");
    bool found = false;
    size_t i;
    json_t* room;
    json_array_foreach(json_object_get(answer.get(), "rooms"), i, room) found |=
        jsonString(room, "room").value_or("") == "cli-room-1";
    EXPECT_TRUE(found) << j.out;
    Outcome info = cli("rooms info cli-room-1");
    EXPECT_EQ(info.status, 0) << info.err;
    EXPECT_NE(info.out.find("class: default"), std::string::npos) << info.out;
}

TEST_F(CliGateway, APluginRefusalExits1WithItsErrorCode) {
    Outcome r = cli("recordings status 0123456789abcdef0123456789abcdef");
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("error_code 421"), std::string::npos) << r.err;
    Outcome j = cli("--json recordings status 0123456789abcdef0123456789abcdef");
    EXPECT_EQ(j.status, 1);
    JsonPtr answer = jsonParse(j.out);
    EXPECT_EQ(jsonInt(answer.get(), "error_code").value_or(0), 421);
    EXPECT_EQ(jsonString(answer.get(), "hipaa.recorder").value_or(""), "error");
}

TEST_F(CliGateway, RevokeTakesTheSubjectFromStdinAndAuditVerifiesTheTrail) {
    Outcome r = cli("revoke --sub - --ttl 60", "patient-77\n");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("sessions ended now: 0"), std::string::npos) << r.out;
    JsonPtr stats = JanusClient(*janus_).messagePlugin("janus.plugin.hipaa.room", J(R"({"request":"stats"})").get());
    EXPECT_GE(jsonInt(stats.get(), "revocations").value_or(0), 1) << jsonDump(stats.get());
    Outcome v = cli("audit verify");
    EXPECT_EQ(v.status, 0) << v.out << v.err;
    EXPECT_NE(v.out.find("ok: yes"), std::string::npos) << v.out;
}

TEST_F(CliGateway, TheSecretFileMustBePrivateAndTheSecretRight) {
    TempDir dir;
    std::string secret = readFile(janus_->configFile("admin_secret"));
    // The right secret in a file others can read: refused before anything is sent.
    Outcome open = cli("status --admin-url " + janus_->adminUrl() + " --secret-file " + dir.write("open", secret, 0644),
                       "", false);
    EXPECT_EQ(open.status, 3);
    EXPECT_EQ(open.out, "");
    EXPECT_NE(open.err.find("mode 0644"), std::string::npos) << open.err;
    // A private file with the wrong secret: Janus refuses it (its error 403), exit 3.
    Outcome wrong = cli("rooms --admin-url " + janus_->adminUrl() + " --secret-file " +
                            dir.write("wrong", "not-the-admin-secret\n", 0600),
                        "", false);
    EXPECT_EQ(wrong.status, 3);
    EXPECT_NE(wrong.err.find("admin secret was refused"), std::string::npos) << wrong.err;
    // The secret file named by the environment; nobody listening: exit 3.
    Outcome env = cli("rooms --admin-url " + janus_->adminUrl(), "", false,
                      "JANUS_HIPAA_SECRET_FILE=" + janus_->configFile("admin_secret") + " ");
    EXPECT_EQ(env.status, 0) << env.err;
    Outcome nobody = cli(
        "rooms --admin-url http://127.0.0.1:9/admin --secret-file " + janus_->configFile("admin_secret"), "", false);
    EXPECT_EQ(nobody.status, 3);
    EXPECT_NE(nobody.err.find("is Janus running"), std::string::npos) << nobody.err;
}

namespace {

const std::string kCanary = "CANARY-Philippa-Quarrington";

// The report's JSON section `id`.
const json_t* section(const JsonPtr& report, const std::string& id) {
    size_t i;
    const json_t* s;
    json_array_foreach(json_object_get(report.get(), "sections"), i, s) {
        if (jsonString(s, "id").value_or("") == id) return s;
    }
    return nullptr;
}

// The figure `label` of section `id` as an integer (-1 when absent).
int64_t figure(const JsonPtr& report, const std::string& id, const std::string& label) {
    size_t i;
    const json_t* f;
    json_array_foreach(json_object_get(section(report, id), "figures"), i, f) {
        if (jsonString(f, "label").value_or("") == label)
            return std::stoll(std::string(jsonString(f, "value").value_or("-1")));
    }
    return -1;
}

int64_t failedAccesses(PgConn& db) {
    return std::stoll(
        std::string(db.exec("SELECT count(*) FROM audit_record WHERE outcome IN ('failure', 'refused')").value(0, 0)));
}

}  // namespace

// A recorded and a deleted recording, refused joins, then the report; then one audit row altered by the
// database superuser turns the chain check red, naming the record. No PHI reaches the report.
TEST_F(CliGateway, EvidenceCountsWhatHappenedAndNamesATamperedAuditRecord) {
    PgConn db = db_->connect();
    TempDir out;
    const std::string html = out.file("report.html"), json = out.file("report.json");
    auto evidence = [&] {
        Outcome r = cli("evidence --out " + html + " --audit-conninfo '" + db_->conninfo() + "'");
        EXPECT_EQ(r.status, 5) << r.out << r.err;  // no checkpoint yet, a test FHIR endpoint: never all green
        return jsonParse(readFile(json));
    };
    // Everything so far has reached the database before the first report.
    auto settled = [&](int64_t atLeast) {
        for (int i = 0; i < 100 && failedAccesses(db) < atLeast; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return failedAccesses(db);
    };
    JsonPtr before = evidence();
    const int64_t failedBefore = figure(before, "access", "failed or refused accesses");
    ASSERT_GE(failedBefore, 0) << jsonDump(section(before, "access"));

    // A visit recorded (started and stopped), another recording deleted.
    JanusClient admin(*janus_);
    const std::string streams = R"("streams":[{"kind":"audio","codec":"opus","mid":"0"}])";
    std::string kept, gone;
    for (std::string* id : {&kept, &gone}) {
        JsonPtr started =
            admin.messagePlugin("janus.plugin.hipaa.recorder", J(R"({"request":"start",)" + streams + "}").get());
        *id = std::string(jsonString(started.get(), "recording").value_or(""));
        ASSERT_EQ(id->size(), 32u) << jsonDump(started.get());
        JsonPtr stopped = admin.messagePlugin("janus.plugin.hipaa.recorder",
                                              J(R"({"request":"stop","recording":")" + *id + R"("})").get());
        ASSERT_FALSE(json_object_get(stopped.get(), "error_code")) << jsonDump(stopped.get());
    }
    Outcome del = cli("recordings delete " + gone + " --reason TICKET-1 --yes");
    ASSERT_EQ(del.status, 0) << del.err;

    // Three refused joins, a patient's name typed at check-in with each.
    ClientTab tab(*janus_);
    for (int i = 0; i < 3; ++i) {
        tab.join("cli-evidence-room", "not-a-token-" + std::to_string(i), "", kCanary);
        ASSERT_TRUE(tab.waitError());
    }
    const int64_t failedNow = settled(failedAccesses(db) + 3);

    JsonPtr after = evidence();
    EXPECT_EQ(figure(after, "access", "failed or refused accesses") - failedBefore, 3)
        << jsonDump(section(after, "access")) << " (database: " << failedNow << ")";
    // By action and reason: the three joins under the room's refusal reason and error code.
    const std::string reasons = jsonDump(json_object_get(section(after, "access"), "rows"));
    EXPECT_TRUE(
        std::regex_search(reasons, std::regex(R"re(\["plugin\.hipaa\.room\.join / [a-z_]+ \(4[0-9][0-9]\)","3"\])re")))
        << reasons;
    EXPECT_EQ(figure(after, "recordings", "recordings deleted"), 1) << jsonDump(section(after, "recordings"));
    EXPECT_EQ(figure(after, "recordings", "deletion receipts verified now"), 1);
    EXPECT_EQ(figure(after, "recordings", "recordings sealed"), 1);
    EXPECT_EQ(figure(after, "recordings", "sealed recordings verified now"), 1);
    EXPECT_NE(jsonString(section(after, "audit-chain"), "state").value_or(""), "fail")
        << jsonDump(section(after, "audit-chain"));
    const std::string page = readFile(html);
    EXPECT_EQ(page.find(kCanary), std::string::npos);
    EXPECT_EQ(readFile(json).find(kCanary), std::string::npos);
    EXPECT_NE(page.find("<svg"), std::string::npos);

    // Headless Chromium opens it with the network off: it loads nothing, and a screenshot is kept.
    const std::string artifacts = std::string(HIPAA_SOURCE_DIR) + "/tests/artifacts/cli-evidence";
    std::filesystem::create_directories(artifacts);
    const std::string shot = artifacts + "/evidence-report.png";
    std::filesystem::remove(shot);
    NodeScript browser("evidence-report.js", {"--report", html, "--screenshot", shot});
    auto seen = browser.waitLine("EVIDENCE_RESULT ", std::chrono::seconds(60));
    EXPECT_EQ(browser.wait(std::chrono::seconds(30)), 0);
    ASSERT_TRUE(seen.has_value()) << "evidence-report.js printed no result";
    JsonPtr opened = jsonParse(*seen);
    EXPECT_EQ(json_array_size(json_object_get(opened.get(), "requests")), 0u) << *seen;
    EXPECT_GE(jsonInt(opened.get(), "svg").value_or(0), 2) << *seen;
    EXPECT_GE(jsonInt(opened.get(), "red").value_or(0), 1) << *seen;
    EXPECT_EQ(readFile(shot).substr(1, 3), "PNG");

    // The database superuser rewrites one record (triggers off): the chain check turns red and names it.
    JsonPtr auditInfo = admin.queryHandler("janus.eventhandler.hipaa.audit", J(R"({"request":"info"})").get());
    const std::string instance(jsonString(auditInfo.get(), "instance_id").value_or(""));
    db.exec("SET session_replication_role = replica");
    db.execParams("UPDATE audit_record SET action = action || '.x' WHERE instance_id = $1 AND seq = 3",
                  {PgParam(instance)});
    JsonPtr tampered = evidence();
    const json_t* chain = section(tampered, "audit-chain");
    EXPECT_EQ(jsonString(chain, "state").value_or(""), "fail") << jsonDump(chain);
    EXPECT_NE(
        jsonDump(json_object_get(chain, "problems")).find("chain of instance " + instance + " broken at record seq 3"),
        std::string::npos)
        << jsonDump(chain);
    EXPECT_NE(readFile(html).find("broken at record seq 3"), std::string::npos);
    // Put it back for the other tests of this suite.
    db.execParams(
        "UPDATE audit_record SET action = left(action, length(action) - 2) WHERE instance_id = $1 AND seq = 3",
        {PgParam(instance)});
    db.exec("SET session_replication_role = origin");
}
