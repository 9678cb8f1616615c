// SPDX-License-Identifier: GPL-3.0-or-later
// Real Janus, real PostgreSQL: the recorder's Admin API behind actor tokens. The cases are generated
// from the access table (accessRules(), the recorder's rows): every role x action with a freshly
// minted token is allowed or refused exactly as the table says, Own rows for a participant of the
// recorded visit and for someone else; every decision lands in audit_record. Then the token refusals
// (expired, replayed, another audience, staff without MFA, no token at all). One Janus for the suite.
#include "AuditFixture.hpp"
#include "ConfigEdit.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "SqlFixtures.hpp"
#include "SuiteDatabase.hpp"
#include "TokenFactory.hpp"
#include "hipaa/AccessRules.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

using namespace hipaa;
using namespace hipaa::test;
using hipaa::room::test::TokenFactory;

namespace {

constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";
constexpr const char* kAudience = "janus-hipaa-admin";
// Rows of the table whose requests come with their own change (and their own cases there).
const std::set<std::string_view> kNotHere{"patient_copy"};

std::string str(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }
int64_t nowS() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class RecorderActorAccess : public ::testing::Test {
protected:
    static inline SuiteDatabase db;
    static inline std::unique_ptr<JanusProcess> janus;
    static inline std::unique_ptr<JanusClient> client;
    static inline std::unique_ptr<TokenFactory> factory;
    static inline std::unique_ptr<Pseudonymizer> pseudonyms;

    static void SetUpTestSuite() {
        db.open("janus_audit_writer");
        factory = std::make_unique<TokenFactory>();
        janus = std::make_unique<JanusProcess>();
        setAuditKey(*janus, "conninfo", "\"" + db.login() + "\"");
        janus->writeConfig("keys/actors-es.pem", factory->publicPem("es"), 0600);
        std::string rec = readFile(janus->configFile("janus.plugin.hipaa.recorder.jcfg"));
        rec = setConfigLine(rec, "development", "false");
        rec = setConfigLine(rec, "issuers", std::string("\"") + TokenFactory::kIssuer + "\"");
        rec = setConfigLine(rec, "pem_files", "\"es=" + janus->configFile("keys/actors-es.pem") + "\"");
        janus->writeConfig("janus.plugin.hipaa.recorder.jcfg", rec, 0600);
        pseudonyms =
            std::make_unique<Pseudonymizer>(Pseudonymizer::fromKeyFile(janus->configFile("keys/pseudonym.key")));
        janus->start();
        client = std::make_unique<JanusClient>(*janus);
    }
    static void TearDownTestSuite() {
        client.reset();
        janus.reset();
        db.close();
    }

    static std::string person(const std::string& sub) { return pseudonyms->participant(TokenFactory::kIssuer, sub); }
    static JsonPtr claims(const std::string& role, const std::string& sub) {
        JsonPtr c = factory->claims("unused", role, nowS(), sub, 120);
        json_object_del(c.get(), "room");
        jsonSet(c.get(), "aud", kAudience);
        jsonSet(c.get(), "amr", jsonParse(R"(["pwd","otp"])"));
        return c;
    }
    static std::string token(const std::string& role, const std::string& sub) {
        return factory->sign(claims(role, sub).get());
    }
    // The request's answer (the response object: an error has error_code).
    static JsonPtr send(const std::string& request, const std::string& id, const std::string& actorToken,
                        const std::string& extra = "") {
        JsonPtr r = jsonParse(R"({"request":")" + request + R"(","reason":"integration test")" + extra + "}");
        if (!id.empty()) jsonSet(r.get(), "recording", id);
        if (!actorToken.empty()) jsonSet(r.get(), "actor_token", actorToken);
        return client->messagePlugin(kRecorder, r.get());
    }
    static int code(const JsonPtr& answer) { return static_cast<int>(jsonInt(answer.get(), "error_code").value_or(0)); }
    // A recording of `providers` and `patients` (subs), started and (unless `open`) stopped by the
    // operator with the admin secret alone: start and stop need no actor.
    static std::string recording(const std::vector<std::string>& providers, const std::vector<std::string>& patients,
                                 bool open = false) {
        JsonPtr r =
            jsonParse(R"({"request":"start","visit":"v_it","room":"it","streams":[{"kind":"audio","codec":"opus"}]})");
        for (auto [key, subs] : {std::pair{"providers", &providers}, std::pair{"patients", &patients}}) {
            JsonPtr list = jsonArray();
            for (const auto& s : *subs) json_array_append_new(list.get(), json_string(person(s).c_str()));
            jsonSet(r.get(), key, std::move(list));
        }
        JsonPtr started = client->messagePlugin(kRecorder, r.get());
        std::string id = str(started.get(), "recording");
        EXPECT_EQ(id.size(), 32u) << jsonDump(started.get());
        if (!open) {
            EXPECT_EQ(code(send("stop", id, "")), 0);
        }
        return id;
    }
};

}  // namespace

TEST_F(RecorderActorAccess, EveryRoleAndActionIsAllowedOrRefusedAsTheAccessTableSays) {
    std::string sealed = recording({"dr-1"}, {"pat-1"});
    std::string open = recording({"dr-1"}, {"pat-1"}, true);
    int rows = 0;
    for (const AccessRule& rule : accessRules()) {
        if (rule.plugin != kRecorder || kNotHere.count(rule.request)) continue;
        ++rows;
        std::string request(rule.request);
        bool changes = request == "hold" || request == "release" || request == "delete" || request == "rewrap";
        for (size_t r = 0; r < kActorRoles.size(); ++r) {
            std::string role = actorRoleName(kActorRoles[r]);
            Access access = rule.byRole[r];
            std::string what = request + " as " + role + " (" + accessName(access) + ")";
            // Whoever the rule means by "own": the recording's provider or patient; staff are never participants.
            std::string mine = role == "provider" ? "dr-1" : role == "patient" ? "pat-1" : "staff-" + role;
            std::string target = changes ? recording({"dr-1"}, {"pat-1"}) : sealed;
            if (request == "release") {
                EXPECT_EQ(code(send("hold", target, token("records_officer", "ro-0"))), 0);
            }
            JsonPtr answer = send(request, request == "list" ? "" : target, token(role, mine));
            switch (access) {
                case Access::None:
                    EXPECT_EQ(code(answer), errc::kActorForbidden) << what << ": " << jsonDump(answer.get());
                    break;
                case Access::Any:
                case Access::Metadata:
                    EXPECT_EQ(code(answer), 0) << what << ": " << jsonDump(answer.get());
                    if (access == Access::Metadata) {
                        EXPECT_EQ(jsonDump(answer.get()).find("ps1_"), std::string::npos) << what;
                    }
                    break;
                case Access::Own:
                case Access::OwnSealed: {
                    EXPECT_EQ(code(answer), 0) << what << " by a participant: " << jsonDump(answer.get());
                    if (request == "list") {
                        const json_t* all = json_object_get(answer.get(), "recordings");
                        bool found = false;
                        size_t i;
                        json_t* e;
                        json_array_foreach(all, i, e) found |= str(e, "recording") == sealed;
                        EXPECT_TRUE(found) << what;
                        JsonPtr other = send("list", "", token(role, mine + "-other"));
                        EXPECT_EQ(json_array_size(json_object_get(other.get(), "recordings")), 0u) << what;
                        break;
                    }
                    JsonPtr stranger = send(request, target, token(role, mine + "-other"));
                    EXPECT_EQ(code(stranger), errc::kActorForbidden) << what << " by someone else";
                    if (access == Access::OwnSealed) {
                        EXPECT_EQ(code(send(request, open, token(role, mine))), errc::kActorForbidden)
                            << what << " before the seal";
                    }
                    break;
                }
            }
        }
    }
    EXPECT_EQ(rows, 8) << "list, status, verify, export, hold, release, delete, rewrap";
}

TEST_F(RecorderActorAccess, APatientCannotExportAnotherPatientsRecordingAndTheRefusalIsOnTheRecord) {
    std::string hers = recording({"dr-2"}, {"pat-2"});
    EXPECT_EQ(code(send("export", hers, token("patient", "pat-3"))), errc::kActorForbidden);
    JsonPtr mine = send("export", hers, token("patient", "pat-2"));
    EXPECT_EQ(code(mine), 0) << jsonDump(mine.get());
    JsonPtr s = waitStats(*client, [](const json_t* st) { return settled(st); });
    ASSERT_TRUE(settled(s.get())) << jsonDump(s.get());
    PgConn conn = db.db().connect();
    std::string where = "action = 'recording.export' AND event->'object'->>'recording' = '" + hers + "'";
    EXPECT_EQ(
        scalar(conn, "SELECT count(*) FROM audit_record WHERE " + where + " AND outcome = 'refused' AND actor = '" +
                         person("pat-3") + "' AND event->>'reason' = 'not_a_participant'"),
        "1");
    EXPECT_EQ(
        scalar(conn, "SELECT count(*) FROM audit_record WHERE " + where + " AND outcome = 'success' AND actor = '" +
                         person("pat-2") + "' AND event->>'role' = 'patient'"),
        "1");
    EXPECT_EQ(
        scalar(conn, "SELECT count(*) FROM audit_record WHERE action LIKE 'recording.%' AND actor NOT LIKE 'ps1_%'"),
        "0")
        << "actors are pseudonyms";
}

TEST_F(RecorderActorAccess, BadTokensAndTheAdminSecretAloneAreRefusedWithTheirOwnCodes) {
    std::string id = recording({"dr-3"}, {"pat-3"});
    auto as = [&](const JsonPtr& c) { return code(send("status", id, factory->sign(c.get()))); };
    JsonPtr expired = claims("records_officer", "ro-1");
    jsonSet(expired.get(), "iat", nowS() - 600);
    jsonSet(expired.get(), "nbf", nowS() - 600);
    jsonSet(expired.get(), "exp", nowS() - 400);
    EXPECT_EQ(as(expired), errc::kActorTokenExpired);
    std::string once = token("records_officer", "ro-1");
    EXPECT_EQ(code(send("status", id, once)), 0);
    EXPECT_EQ(code(send("status", id, once)), errc::kActorTokenReplayed);
    JsonPtr elsewhere = claims("records_officer", "ro-1");
    jsonSet(elsewhere.get(), "aud", TokenFactory::kAudience);  // the room's, not the Admin API's
    EXPECT_EQ(as(elsewhere), errc::kActorTokenNotOurs);
    JsonPtr password = claims("records_officer", "ro-1");
    jsonSet(password.get(), "amr", jsonParse(R"(["pwd"])"));
    EXPECT_EQ(as(password), errc::kActorMfaRequired);
    EXPECT_EQ(code(send("status", id, "")), errc::kActorTokenMissing) << "the admin secret alone";
    EXPECT_EQ(code(send("list", "", "")), errc::kActorTokenMissing);
}
