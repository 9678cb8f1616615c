// SPDX-License-Identifier: GPL-3.0-or-later
// Every command of janus-hipaa against a scripted AdminApi: the request each sends, what it prints
// (tables, --json), and its exit status. The secret file is real (a temp folder); Janus is not.
#include "AdminError.hpp"
#include "Cli.hpp"
#include "CommandContext.hpp"
#include "EvidenceCommand.hpp"
#include "ExitCode.hpp"
#include "TempDir.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <sstream>

#include <sys/stat.h>

using namespace hipaa;
using namespace hipaa::cli;
using hipaa::test::TempDir;

namespace {

const std::string kSecret = "c0ffee00c0ffee00c0ffee00c0ffee00";

// Answers by "<plugin or handler> <request>"; records every request it got.
class ScriptedAdmin final : public AdminApi {
public:
    using Answer = std::function<JsonPtr(const json_t* request)>;
    std::map<std::string, Answer> answers;
    std::vector<std::pair<std::string, std::string>> calls;  // target, request as compact JSON

    JsonPtr plugin(std::string_view plugin, const json_t* request) override { return call(plugin, request); }
    JsonPtr handler(std::string_view handler, const json_t* request) override { return call(handler, request); }

private:
    JsonPtr call(std::string_view target, const json_t* request) {
        calls.emplace_back(std::string(target), jsonDump(request, JSON_COMPACT));  // keys as sent
        std::string key = std::string(target) + " " + std::string(jsonString(request, "request").value_or(""));
        auto it = answers.find(key);
        if (it == answers.end())
            throw AdminError(AdminError::Kind::Janus, 460, "Janus refused: no such plugin " + std::string(target));
        return it->second(request);
    }
};

ScriptedAdmin::Answer json(const std::string& text) {
    return [text](const json_t*) { return jsonParse(text); };
}

ScriptedAdmin::Answer pluginError(int code, const std::string& message) {
    return [code, message](const json_t*) -> JsonPtr {
        auto response = std::shared_ptr<json_t>(
            json_pack("{s:s, s:i, s:s}", "hipaa.recorder", "error", "error_code", code, "error", message.c_str()),
            JsonDeleter{});
        throw AdminError(AdminError::Kind::Plugin, code, "refused: " + message, response);
    };
}

struct Outcome {
    int status = -1;
    std::string out, err;
};

class CliTest : public ::testing::Test {
protected:
    TempDir dir;
    ScriptedAdmin admin;
    int clients = 0;  // clients made (each read the secret file first)
    std::string secretGot, urlGot;
    std::map<std::string, std::string> env;

    void SetUp() override {
        env["JANUS_HIPAA_SECRET_FILE"] = dir.write("admin_secret", kSecret + "\n", 0600);
        env["SUDO_USER"] = "ops-alice";
    }

    Outcome run(std::vector<std::string> args, const std::string& input = "") {
        std::ostringstream out, err;
        std::istringstream in(input);
        Cli cli(out, err, in, env, [this](const std::string& url, std::string secret, long) {
            ++clients;
            secretGot = secret;
            urlGot = url;
            return std::unique_ptr<AdminApi>(std::make_unique<Forward>(admin));
        });
        Outcome r;
        r.status = cli.run(args);
        r.out = out.str();
        r.err = err.str();
        return r;
    }

    std::string lastRequest() const { return admin.calls.empty() ? "" : admin.calls.back().second; }

    void allRunning() {
        admin.answers["janus.plugin.hipaa.room info"] = json(R"({"version":"0.1.0","development":true})");
        admin.answers["janus.plugin.hipaa.room stats"] =
            json(R"({"rooms":2,"sessions":3,"participants":1,"revocations":0})");
        admin.answers["janus.plugin.hipaa.recorder info"] =
            json(R"({"version":"0.1.0","active":1,"write_failures":0,"key_version":2})");
        admin.answers["janus.eventhandler.hipaa.audit info"] = json(R"({"version":"0.1.0","storage":"postgresql"})");
        admin.answers["janus.eventhandler.hipaa.audit health"] =
            json(R"({"healthy":true,"db_connected":true,"queued":0})");
        admin.answers["janus.eventhandler.hipaa.fhir info"] = json(R"({"version":"0.1.0"})");
        admin.answers["janus.eventhandler.hipaa.fhir status"] = json(R"({"pending":4,"failed":1,"dead":0,"sent":9})");
    }

private:
    // The client the factory hands out (owned by the Cli) forwards to the test's ScriptedAdmin.
    class Forward final : public AdminApi {
    public:
        explicit Forward(ScriptedAdmin& a) : a_(a) {}
        JsonPtr plugin(std::string_view p, const json_t* r) override { return a_.plugin(p, r); }
        JsonPtr handler(std::string_view h, const json_t* r) override { return a_.handler(h, r); }

    private:
        ScriptedAdmin& a_;
    };
};

}  // namespace

TEST_F(CliTest, HelpListsEveryCommandAndEachHasItsOwn) {
    Outcome r = run({"help"});
    EXPECT_EQ(r.status, exitcode::kOk);
    for (const char* c : {"status", "rooms", "revoke", "recordings", "audit", "fhir", "check-config", "version"})
        EXPECT_NE(r.out.find(std::string("  ") + c), std::string::npos) << c;
    EXPECT_NE(r.out.find("Exit status"), std::string::npos);
    for (const char* c : {"status", "rooms", "revoke", "recordings", "audit", "fhir", "check-config", "version"}) {
        Outcome h = run({c, "--help"});
        EXPECT_EQ(h.status, exitcode::kOk) << c;
        EXPECT_EQ(h.out.rfind(std::string("usage: janus-hipaa ") + c, 0), 0u) << h.out;
        EXPECT_EQ(run({"help", c}).out, h.out);
    }
    EXPECT_EQ(clients, 0);  // help reads no secret
    EXPECT_EQ(run({}).status, exitcode::kUsage);
    EXPECT_EQ(run({"help", "nope"}).status, exitcode::kUsage);
    Outcome bad = run({"statsu"});
    EXPECT_EQ(bad.status, exitcode::kUsage);
    EXPECT_NE(bad.err.find("unknown command statsu"), std::string::npos) << bad.err;
}

TEST_F(CliTest, VersionNeedsNoSecret) {
    env["JANUS_HIPAA_SECRET_FILE"] = dir.file("missing");
    Outcome r = run({"version"});
    EXPECT_EQ(r.status, exitcode::kOk);
    EXPECT_EQ(r.out, "janus-hipaa 0.1.0\n");
    EXPECT_EQ(jsonString(jsonParse(run({"version", "--json"}).out).get(), "version").value_or(""), "0.1.0");
}

TEST_F(CliTest, StatusShowsTheFourPluginsInOneTable) {
    allRunning();
    Outcome r = run({"status"});
    EXPECT_EQ(r.status, exitcode::kOk) << r.err;
    EXPECT_EQ(r.out,
              "PLUGIN                          STATE    VERSION  DETAILS\n"
              "janus.plugin.hipaa.room         running  0.1.0    rooms 2, sessions 3, participants 1, revocations 0, "
              "DEVELOPMENT\n"
              "janus.plugin.hipaa.recorder     running  0.1.0    active 1, write_failures 0, key_version 2\n"
              "janus.eventhandler.hipaa.audit  running  0.1.0    storage postgresql, queued 0, db_connected yes\n"
              "janus.eventhandler.hipaa.fhir   running  0.1.0    pending 4, failed 1, dead 0, sent 9\n");
    EXPECT_EQ(secretGot, kSecret);  // from the file, trailing newline dropped
    EXPECT_EQ(urlGot, Cli::kDefaultAdminUrl);
    EXPECT_EQ(clients, 1);
}

TEST_F(CliTest, StatusJsonCarriesEveryRawAnswer) {
    allRunning();
    Outcome r = run({"status", "--json"});
    ASSERT_EQ(r.status, exitcode::kOk);
    JsonPtr all = jsonParse(r.out);
    const json_t* room = json_object_get(all.get(), "janus.plugin.hipaa.room");
    EXPECT_EQ(jsonString(room, "state").value_or(""), "running");
    EXPECT_EQ(jsonInt(json_object_get(room, "stats"), "sessions").value_or(0), 3);
    EXPECT_EQ(jsonInt(json_object_get(json_object_get(all.get(), "janus.eventhandler.hipaa.fhir"), "status"), "sent")
                  .value_or(0),
              9);
}

TEST_F(CliTest, StatusExits5WhenAPluginIsMissingNotRunningOrUnhealthy) {
    allRunning();
    admin.answers.erase("janus.plugin.hipaa.recorder info");  // Janus: 460, not loaded
    admin.answers["janus.eventhandler.hipaa.fhir info"] = pluginError(310, "not running: outbox.key_file: ...");
    admin.answers["janus.eventhandler.hipaa.audit health"] =
        json(R"({"healthy":false,"reason":"spool_full","db_connected":false,"queued":9})");
    Outcome r = run({"status"});
    EXPECT_EQ(r.status, exitcode::kNotIntact);
    EXPECT_NE(r.out.find("janus.plugin.hipaa.recorder     not loaded"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("janus.eventhandler.hipaa.audit  unhealthy   0.1.0    reason spool_full"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("janus.eventhandler.hipaa.fhir   error"), std::string::npos) << r.out;
    JsonPtr all = jsonParse(run({"status", "--json"}).out);
    EXPECT_EQ(jsonString(json_object_get(all.get(), "janus.plugin.hipaa.recorder"), "state").value_or(""),
              "not_loaded");
}

TEST_F(CliTest, AWrongSecretStopsStatusWithExit3) {
    admin.answers["janus.plugin.hipaa.room info"] = [](const json_t*) -> JsonPtr {
        throw AdminError(AdminError::Kind::Janus, 403, "Janus refused message_plugin: Unauthorized request");
    };
    Outcome r = run({"status"});
    EXPECT_EQ(r.status, exitcode::kUnreachable);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("admin secret was refused"), std::string::npos) << r.err;
    EXPECT_EQ(admin.calls.size(), 1u);  // nothing else asked
}

TEST_F(CliTest, TheSecretFileMustPassTheSecretFileRules) {
    env["JANUS_HIPAA_SECRET_FILE"] = dir.write("open_secret", kSecret, 0644);
    Outcome r = run({"rooms"});
    EXPECT_EQ(r.status, exitcode::kUnreachable);
    EXPECT_NE(r.err.find("--secret-file"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("mode 0644"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos);
    EXPECT_EQ(clients, 0);
    EXPECT_TRUE(admin.calls.empty());
    // --secret-file wins over the environment.
    admin.answers["janus.plugin.hipaa.room list"] = json(R"({"rooms":[]})");
    EXPECT_EQ(run({"rooms", "--secret-file", dir.write("s2", "other-secret\n", 0600)}).status, exitcode::kOk);
    EXPECT_EQ(secretGot, "other-secret");
    // A usage error is reported before the secret file is read.
    env["JANUS_HIPAA_SECRET_FILE"] = dir.file("missing");
    EXPECT_EQ(run({"recordings", "delete", std::string(32, 'a'), "--reason", "case 1"}).status, exitcode::kUsage);
}

TEST_F(CliTest, RoomsListsEveryRoomAndJsonIsTheRawAnswerAndCreatesOne) {
    const std::string answer =
        R"({"rooms":[{"room":"consult-7","class":"default","ended":false,"participants":2,"waiting":1},)"
        R"({"room":"r_ab","class":"vp9","ended":true,"participants":0,"waiting":0}],"hipaa.room":"success"})";
    admin.answers["janus.plugin.hipaa.room list"] = json(answer);
    Outcome r = run({"rooms"});
    EXPECT_EQ(r.status, exitcode::kOk);
    EXPECT_EQ(lastRequest(), R"({"request":"list"})");
    EXPECT_EQ(r.out,
              "ROOM       CLASS    STATE  PARTICIPANTS  WAITING\n"
              "consult-7  default  open   2             1\n"
              "r_ab       vp9      ended  0             0\n");
    Outcome j = run({"--json", "rooms", "list"});
    EXPECT_EQ(jsonDump(jsonParse(j.out).get()), jsonDump(jsonParse(answer).get()));
    admin.answers["janus.plugin.hipaa.room info"] = json(R"({"room":"consult-7","started_us":1767225600000000})");
    Outcome info = run({"rooms", "info", "consult-7"});
    EXPECT_EQ(lastRequest(), R"({"request":"info","room":"consult-7"})");
    EXPECT_NE(info.out.find("started_us: 1767225600000000 (2026-01-01T00:00:00Z)"), std::string::npos) << info.out;
    admin.answers["janus.plugin.hipaa.room create"] = json(R"({"room":"r_0a1b","class":"vp9"})");
    Outcome made = run({"rooms", "create", "--class", "vp9"});
    EXPECT_EQ(lastRequest(), R"({"request":"create","class":"vp9"})");
    EXPECT_EQ(made.out, "r_0a1b\n");  // only the id: R=$(janus-hipaa rooms create)
    run({"rooms", "create", "consult-8"});
    EXPECT_EQ(lastRequest(), R"({"request":"create","room":"consult-8"})");
    admin.answers["janus.plugin.hipaa.room destroy"] = json(R"({"destroyed":"consult-8"})");
    EXPECT_EQ(run({"rooms", "destroy", "consult-8"}).status, exitcode::kOk);
    EXPECT_EQ(lastRequest(), R"({"request":"destroy","room":"consult-8"})");
    EXPECT_EQ(run({"rooms", "destroy"}).status, exitcode::kUsage);
    EXPECT_EQ(run({"rooms", "list", "--class", "vp9"}).status, exitcode::kUsage);
    EXPECT_EQ(run({"rooms", "info"}).status, exitcode::kUsage);
    EXPECT_EQ(run({"rooms", "open"}).status, exitcode::kUsage);
}

TEST_F(CliTest, RevokeReadsASubjectFromStdinAndChecksItsTtl) {
    admin.answers["janus.plugin.hipaa.room revoke"] = json(R"({"revoked":true,"sessions_ended":1,"until":1767225600})");
    Outcome r = run({"revoke", "--sub", "-", "--ttl", "600"}, "patient-123\n");
    EXPECT_EQ(r.status, exitcode::kOk) << r.err;
    EXPECT_EQ(lastRequest(), R"({"request":"revoke","sub":"patient-123","ttl":600})");
    EXPECT_NE(r.out.find("until 2026-01-01T00:00:00Z; sessions ended now: 1"), std::string::npos) << r.out;
    run({"revoke", "--jti", "j-1"});
    EXPECT_EQ(lastRequest(), R"({"request":"revoke","jti":"j-1"})");
    size_t sent = admin.calls.size();
    EXPECT_EQ(run({"revoke"}).status, exitcode::kUsage);
    EXPECT_EQ(run({"revoke", "--sub", "x", "--ttl", "0"}).status, exitcode::kUsage);
    EXPECT_EQ(run({"revoke", "--sub", "-"}, "").status, exitcode::kUsage);  // nothing on stdin
    EXPECT_EQ(run({"revoke", "--sub", "x", "--reason", "r"}).status, exitcode::kUsage);
    EXPECT_EQ(admin.calls.size(), sent);
}

TEST_F(CliTest, RecordingsSendEachRequestAndDeleteNeedsYes) {
    const std::string id(32, 'a');
    admin.answers["janus.plugin.hipaa.recorder list"] = json(
        R"({"recordings":[{"recording":")" + id +
        R"(","status":"sealed","policy":"standard","created_ms":1767225600000,"expires_ms":1767312000000,"hold":true,"streams":[{},{}]}]})");
    Outcome list = run({"recordings", "list"});
    EXPECT_EQ(list.out,
              "RECORDING                         STATUS  POLICY    HOLD  STREAMS  CREATED               EXPIRES\n" +
                  id + "  sealed  standard  HOLD  2        2026-01-01T00:00:00Z  2026-01-02T00:00:00Z\n");
    for (const char* sub : {"hold", "release", "delete"})
        admin.answers[std::string("janus.plugin.hipaa.recorder ") + sub] = json(R"({"recording":"x"})");
    EXPECT_EQ(run({"recordings", "hold", id, "--reason", "case 42"}).status, exitcode::kOk);
    EXPECT_EQ(lastRequest(), R"({"request":"hold","recording":")" + id + R"(","reason":"case 42"})");
    EXPECT_EQ(run({"recordings", "release", id, "--reason", "-"}, "case 43\n").status, exitcode::kOk);
    EXPECT_EQ(lastRequest(), R"({"request":"release","recording":")" + id + R"(","reason":"case 43"})");
    size_t sent = admin.calls.size();
    Outcome noYes = run({"recordings", "delete", id, "--reason", "retention"});
    EXPECT_EQ(noYes.status, exitcode::kUsage);
    EXPECT_NE(noYes.err.find("--yes"), std::string::npos);
    EXPECT_EQ(run({"recordings", "hold", id}).status, exitcode::kUsage);  // no reason
    EXPECT_EQ(run({"recordings", "hold", id, "--reason", "r", "--yes"}).status, exitcode::kUsage);
    EXPECT_EQ(run({"recordings", "status"}).status, exitcode::kUsage);  // no id
    EXPECT_EQ(run({"recordings", "shred", id}).status, exitcode::kUsage);
    EXPECT_EQ(admin.calls.size(), sent);
    EXPECT_EQ(run({"recordings", "delete", id, "--reason", "retention", "--yes"}).status, exitcode::kOk);
    EXPECT_EQ(lastRequest(), R"({"request":"delete","recording":")" + id + R"(","reason":"retention"})");
}

TEST_F(CliTest, AVerificationThatFailsExits5) {
    const std::string id(32, 'b');
    admin.answers["janus.plugin.hipaa.recorder verify"] =
        json(R"({"recording":"x","verification":{"ok":false,"reason":"chunk 3 fails"}})");
    Outcome r = run({"recordings", "verify", id});
    EXPECT_EQ(r.status, exitcode::kNotIntact);
    EXPECT_NE(r.out.find("verification.ok: no"), std::string::npos) << r.out;
    admin.answers["janus.eventhandler.hipaa.audit verify"] = json(R"({"ok":true,"records_checked":12})");
    EXPECT_EQ(run({"audit", "verify", "--from", "3", "--instance", "janus-1"}).status, exitcode::kOk);
    EXPECT_EQ(lastRequest(), R"({"request":"verify","from_seq":3,"instance_id":"janus-1"})");
    admin.answers["janus.eventhandler.hipaa.audit verify"] =
        json(R"({"ok":false,"first_broken_seq":7,"reason":"hash"})");
    EXPECT_EQ(run({"audit", "verify"}).status, exitcode::kNotIntact);
}

TEST_F(CliTest, APluginRefusalExits1WithItsErrorCode) {
    admin.answers["janus.plugin.hipaa.recorder status"] = pluginError(421, "unknown recording");
    Outcome r = run({"recordings", "status", std::string(32, 'c')});
    EXPECT_EQ(r.status, exitcode::kRefused);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("unknown recording"), std::string::npos) << r.err;
    Outcome j = run({"recordings", "status", std::string(32, 'c'), "--json"});
    EXPECT_EQ(j.status, exitcode::kRefused);
    EXPECT_EQ(jsonInt(jsonParse(j.out).get(), "error_code").value_or(0), 421);  // the raw answer, for scripts
}

TEST_F(CliTest, AuditQueryAndExportCarryTheActorTokenAndFilters) {
    admin.answers["janus.eventhandler.hipaa.audit query"] =
        json(R"({"count":1,"next_cursor":"c1:7:41:gw-2","records":[{"instance_id":"gw-2","seq":41,)"
             R"("time":"2026-01-01T00:00:00Z","action":"join",)"
             R"("outcome":"success","room":"consult-7","actor":"p_ab","plugin":"janus.plugin.hipaa.room"}]})");
    std::string tokenFile = dir.write("actor-token", "eyJh.eyJp.c2ln\n", 0600);
    Outcome r = run({"audit", "query", "--room", "consult-7", "--limit", "1", "--pseudonym-iss", "idp",
                     "--pseudonym-sub", "-", "--actor-token-file", tokenFile},
                    "patient-9\n");
    EXPECT_EQ(r.status, exitcode::kOk) << r.err;
    EXPECT_EQ(lastRequest(), R"({"request":"query","room":"consult-7","limit":1,)"
                             R"("pseudonym":{"iss":"idp","sub":"patient-9"},"actor_token":"eyJh.eyJp.c2ln"})");
    EXPECT_EQ(r.out,
              "INSTANCE  SEQ  TIME                  ACTION  OUTCOME  ROOM       ACTOR  PLUGIN\n"
              "gw-2      41   2026-01-01T00:00:00Z  join    success  consult-7  p_ab   janus.plugin.hipaa.room\n"
              "(more may follow: add --cursor c1:7:41:gw-2)\n");
    admin.answers["janus.eventhandler.hipaa.audit export"] =
        json(R"({"count":2,"format":"jsonl","data":"{\"seq\":1}\n{\"seq\":2}\n"})");
    // The token is read afresh for every request (each is one-time), here from the environment.
    dir.write("actor-token", "eyJi.eyJq.c2lo\n", 0600);
    env["JANUS_HIPAA_ACTOR_TOKEN_FILE"] = tokenFile;
    Outcome e = run({"audit", "export", "--format", "jsonl", "--cursor", "c1:7:41:gw-2"});
    EXPECT_EQ(lastRequest(),
              R"({"request":"export","cursor":"c1:7:41:gw-2","format":"jsonl","actor_token":"eyJi.eyJq.c2lo"})");
    EXPECT_EQ(e.out, "{\"seq\":1}\n{\"seq\":2}\n");
    EXPECT_EQ(e.out.find("eyJi"), std::string::npos);
    EXPECT_EQ(run({"audit", "query", "--requester", "ops-alice"}).status, exitcode::kUsage)
        << "actor tokens replaced it";
    EXPECT_EQ(run({"audit", "query", "--pseudonym-iss", "idp"}).status, exitcode::kUsage);
    EXPECT_EQ(run({"audit", "query", "--format", "fhir"}).status, exitcode::kUsage);  // export only
    EXPECT_EQ(run({"audit"}).status, exitcode::kUsage);
}

TEST_F(CliTest, TheActorTokenFileMustBeTheOwnersAloneAndIsNeverPrinted) {
    admin.answers["janus.plugin.hipaa.recorder list"] = json(R"({"recordings":[]})");
    std::string open = dir.write("open-token", "eyJh.eyJp.c2VjcmV0LXRva2Vu\n", 0644);
    size_t before = admin.calls.size();
    Outcome r = run({"recordings", "list", "--actor-token-file", open});
    EXPECT_EQ(r.status, exitcode::kUnreachable);
    EXPECT_NE(r.err.find("--actor-token-file"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(open), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("c2VjcmV0LXRva2Vu"), std::string::npos) << "the token itself is never printed";
    EXPECT_EQ(admin.calls.size(), before) << "nothing was sent";
    std::string notJws = dir.write("not-jws", "secret-token-text\n", 0600);
    Outcome n = run({"recordings", "list", "--actor-token-file", notJws});
    EXPECT_EQ(n.status, exitcode::kUnreachable);
    EXPECT_EQ(n.err.find("secret-token-text"), std::string::npos) << n.err;
    std::string good = dir.write("token", "eyJh.eyJp.c2ln\n", 0600);
    EXPECT_EQ(run({"recordings", "list", "--actor-token-file", good}).status, exitcode::kOk);
    EXPECT_EQ(lastRequest(), R"({"request":"list","actor_token":"eyJh.eyJp.c2ln"})");
    EXPECT_EQ(run({"rooms", "list", "--actor-token-file", good}).status, exitcode::kUsage) << "rooms are not gated";
}

TEST_F(CliTest, FhirPendingRetryAndStatus) {
    admin.answers["janus.eventhandler.hipaa.fhir pending"] =
        json(R"({"bundles":[{"id":7,"visit_id":"v_1","kind":"visit","state":"dead","attempts":8,)"
             R"("last_status":503,"last_error":"http_503","age_seconds":60,"next_attempt_in_seconds":null}]})");
    Outcome p = run({"fhir", "pending", "--state", "dead"});
    EXPECT_EQ(lastRequest(), R"({"request":"pending","state":"dead"})");
    EXPECT_EQ(p.out,
              "ID  VISIT  KIND   STATE  ATTEMPTS  LAST_STATUS  AGE_S  NEXT_IN_S  LAST_ERROR\n"
              "7   v_1    visit  dead   8         503          60                http_503\n");
    admin.answers["janus.eventhandler.hipaa.fhir retry"] = json(R"({"requeued":[7]})");
    EXPECT_EQ(run({"fhir", "retry", "7"}).out, "requeued: 7\n");
    EXPECT_EQ(lastRequest(), R"({"request":"retry","id":7})");
    run({"fhir", "retry", "--all"});
    EXPECT_EQ(lastRequest(), R"({"request":"retry","all":true})");
    EXPECT_EQ(run({"fhir", "retry"}).status, exitcode::kUsage);
    EXPECT_EQ(run({"fhir", "retry", "7", "--all"}).status, exitcode::kUsage);
    EXPECT_EQ(run({"fhir", "retry", "seven"}).status, exitcode::kUsage);
    admin.answers["janus.eventhandler.hipaa.fhir status"] = json(R"({"pending":0,"this_instance":{"sent":3}})");
    EXPECT_EQ(run({"fhir", "status"}).out, "pending: 0\nthis_instance.sent: 3\n");
}

TEST_F(CliTest, AdminUrlComesFromTheOptionThenTheEnvironment) {
    admin.answers["janus.plugin.hipaa.room list"] = json(R"({"rooms":[]})");
    env["JANUS_HIPAA_ADMIN_URL"] = "http://127.0.0.1:17088/admin";
    run({"rooms"});
    EXPECT_EQ(urlGot, "http://127.0.0.1:17088/admin");
    run({"rooms", "--admin-url", "http://[::1]:7088/admin"});
    EXPECT_EQ(urlGot, "http://[::1]:7088/admin");
}

TEST_F(CliTest, TheRealClientRefusesPlainHttpToAnotherHostWithExit3) {
    std::ostringstream out, err;
    std::istringstream in;
    Cli cli(out, err, in, env);  // the default factory: AdminClient
    EXPECT_EQ(cli.run({"rooms", "--admin-url", "http://192.0.2.7:7088/admin"}), exitcode::kUnreachable);
    EXPECT_NE(err.str().find("plain http only to a loopback address"), std::string::npos) << err.str();
    EXPECT_EQ(err.str().find("is Janus running"), std::string::npos) << err.str();  // no misleading hint
}

TEST_F(CliTest, EvidenceWritesTheHtmlAndItsJsonForTheOwnerOnly) {
    Outcome usage = run({"evidence"});
    EXPECT_EQ(usage.status, exitcode::kUsage);
    EXPECT_NE(usage.err.find("--out FILE.html"), std::string::npos) << usage.err;
    EXPECT_EQ(clients, 0);
    allRunning();
    const std::string html = dir.file("report.html");
    Outcome r = run({"evidence", "--out", html, "--days", "7"});
    // Without the audit database (and with plugins that show no config) checks cannot all run: exit 5.
    EXPECT_EQ(r.status, exitcode::kNotIntact) << r.err;
    EXPECT_NE(r.out.find("written: " + html + " and " + dir.file("report.json")), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("unchecked\tFailed access attempts, lockouts and audit lag"), std::string::npos) << r.out;
    for (const auto& f : {html, dir.file("report.json")}) {
        struct stat st {};
        ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
        EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
    }
    JsonPtr report = jsonParse(hipaa::test::readFile(dir.file("report.json")));
    EXPECT_EQ(jsonInt(report.get(), "period_days").value_or(0), 7);
    EXPECT_EQ(json_array_size(json_object_get(report.get(), "sections")), 7u);
    EXPECT_EQ(hipaa::test::readFile(html).rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_EQ(EvidenceCommand::jsonPath("/x/r.htm"), "/x/r.json");
    EXPECT_EQ(EvidenceCommand::jsonPath("/x/r"), "/x/r.json");
    EXPECT_EQ(run({"evidence", "--out", html, "--days", "0"}).status, exitcode::kUsage);
}

// A command that makes several gated requests (evidence: list, then one verify per sampled recording)
// takes the file's tokens in order, one each, and reads the file again when they are used up (the
// identity provider has rewritten it). A bad line is named by its number, never by its content.
TEST_F(CliTest, SeveralGatedRequestsOfOneCommandTakeTheFilesTokensInOrder) {
    std::string file = dir.write("tokens", "eyJh.eyJ1.c2ln\neyJh.eyJ2.c2ln\r\neyJh.eyJ3.c2ln\n", 0600);
    std::ostringstream out;
    std::istringstream in;
    CliArgs args = CliArgs::parse({"evidence"});
    auto sent = [](const CommandContext& ctx) {
        JsonBuilder request;
        ctx.addActorToken(request);
        JsonPtr built = std::move(request).build();
        return std::string(jsonString(built.get(), "actor_token").value_or(""));
    };
    {
        CommandContext ctx{admin, args, out, in, false, file};
        EXPECT_EQ(sent(ctx), "eyJh.eyJ1.c2ln");
        EXPECT_EQ(sent(ctx), "eyJh.eyJ2.c2ln");
        EXPECT_EQ(sent(ctx), "eyJh.eyJ3.c2ln");
        dir.write("tokens", "eyJh.eyJ4.c2ln\n", 0600);  // rewritten meanwhile
        EXPECT_EQ(sent(ctx), "eyJh.eyJ4.c2ln");
        EXPECT_EQ(sent(ctx), "eyJh.eyJ4.c2ln") << "one token left: read again for each request, as before";
    }
    dir.write("tokens", "eyJh.eyJ1.c2ln\n\nc2VjcmV0LXRva2Vu\n", 0600);
    CommandContext ctx{admin, args, out, in, false, file};
    try {
        sent(ctx);
        FAIL() << "an empty line between tokens";
    } catch (const ConfigError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("(line 2)"), std::string::npos) << what;
        EXPECT_EQ(what.find("eyJ1"), std::string::npos) << what;
    }
    dir.write("tokens", "eyJh.eyJ1.c2ln\nsecret-token-text\n", 0600);
    try {
        sent(ctx);
        FAIL() << "a line that is no JWS";
    } catch (const ConfigError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("(line 2)"), std::string::npos) << what;
        EXPECT_EQ(what.find("secret-token-text"), std::string::npos) << what;
    }
}
