// SPDX-License-Identifier: GPL-3.0-or-later
// The audit and FHIR handlers' Admin API behind actor tokens, through the real Janus with a real
// PostgreSQL: one case per row of the access table (AccessRules) whose plugin is one of the handlers
// and per role, generated from the table itself (one Janus for all of them). Each role is allowed or
// refused exactly as the table says, every decision is in the audit trail under the actor's pseudonym
// (refusals too), and refused tokens (expired, replayed, another audience, no second factor) are
// refused with their own codes.
#include "AuditFixture.hpp"
#include "ConfigEdit.hpp"
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"
#include "TokenFactory.hpp"

#include "hipaa/AccessRules.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <sstream>

using namespace hipaa;
using namespace hipaa::test;
using hipaa::room::test::TokenFactory;

namespace {

constexpr const char* kAudience = "janus-hipaa-admin";
constexpr const char* kAudit = "janus.eventhandler.hipaa.audit";
constexpr const char* kFhir = "janus.eventhandler.hipaa.fhir";

// A request of each gated action that passes every other check (an allowed one may still answer a
// plugin code such as 400 no_such_bundle: anything but 360-368).
std::string requestFor(std::string_view action) {
    if (action == "audit.query") return R"({"request":"query","limit":1})";
    if (action == "audit.export") return R"({"request":"export","limit":1})";
    if (action == "audit.pseudonym") return R"({"request":"pseudonym","iss":"https://idp.example","sub":"x"})";
    if (action == "fhir.pending") return R"({"request":"pending","limit":5})";
    if (action == "fhir.export") return R"({"request":"export","visit_id":"v_unknown"})";
    if (action == "fhir.retry") return R"({"request":"retry","id":987654321})";
    throw std::runtime_error("no request for " + std::string(action));
}

struct Expectation {
    std::string actor;  // pseudonym
    std::string action;
    const char* outcome;
};

// Rewrites the generated handler configs: development = false, the test issuer's key, PostgreSQL,
// and the FHIR test server when scripts/test.sh started one (the requests here never reach it).
void configure(JanusProcess& j, TestDatabase& db, const TokenFactory& tokens) {
    std::string pem = j.configDir() + "/keys/actor-idp.pem";
    j.writeConfig("keys/actor-idp.pem", tokens.publicPem("es"), 0600);
    for (const char* f : {"janus.eventhandler.hipaa.audit.jcfg", "janus.eventhandler.hipaa.fhir.jcfg"}) {
        setConfigKey(j, f, "development", "false", 0600);
        setConfigKey(j, f, "issuers", std::string("[\"") + TokenFactory::kIssuer + "\"]", 0600);
        setConfigKey(j, f, "audience", std::string("\"") + kAudience + "\"", 0600);
        setConfigKey(j, f, "pem_files", "[\"es=" + pem + "\"]", 0600);
    }
    const char* fhir = "janus.eventhandler.hipaa.fhir.jcfg";
    const char* url = std::getenv("HIPAA_TEST_FHIR");
    const char* dir = std::getenv("HIPAA_TEST_FHIR_DIR");
    if (url && dir) {
        setConfigKey(j, fhir, "base_url", "\"" + std::string(url) + "\"", 0600);
        setConfigKey(j, fhir, "ca_file", "\"" + std::string(dir) + "/ca.pem\"", 0600);
        setConfigKey(j, fhir, "bearer_token_file", "\"" + std::string(dir) + "/bearer-token\"", 0600);
    }
    setConfigKey(j, fhir, "conninfo", "\"" + db.loginConninfo("janus_fhir_writer") + "\"", 0600);
    setConfigKey(j, "janus.eventhandler.hipaa.audit.jcfg", "conninfo",
                 "\"" + db.loginConninfo("janus_audit_writer") + "\"", 0600);
}

class HandlerAccess : public ::testing::Test {
protected:
    TestDatabase db_;
    TokenFactory tokens_;
    JanusProcess janus_;
    std::unique_ptr<JanusClient> client_;

    JsonPtr claims(const std::string& role, const std::string& sub) const {
        JsonPtr c = tokens_.claims("unused", role, Clock::wallMs() / 1000, sub, 120);
        json_object_del(c.get(), "room");
        jsonSet(c.get(), "aud", kAudience);
        jsonSet(c.get(), "amr", jsonParse(R"(["pwd","otp"])"));
        return c;
    }
    JsonPtr ask(const std::string& plugin, const std::string& body, const std::string& token) const {
        JsonPtr request = jsonParse(body);
        if (!token.empty()) jsonSet(request.get(), "actor_token", token);
        return client_->queryHandler(plugin, request.get());
    }
    static int64_t code(const JsonPtr& answer) { return jsonInt(answer.get(), "error_code").value_or(0); }
};

}  // namespace

// Every row of the access table whose plugin is the audit or the FHIR handler, for every role: the
// answer is the table's, and the decision is in the trail under the actor's pseudonym, refusals too.
TEST_F(HandlerAccess, EveryRoleAsTheAccessTableSaysAndEveryDecisionOnTheRecord) {
    configure(janus_, db_, tokens_);
    janus_.start();
    client_ = std::make_unique<JanusClient>(janus_);
    Pseudonymizer pseudonyms = Pseudonymizer::fromKeyFile(janus_.configFile("keys/pseudonym.key"));
    std::vector<Expectation> expected;
    int rows = 0;
    for (const auto& rule : accessRules()) {
        if (rule.plugin != kAudit && rule.plugin != kFhir) continue;
        ++rows;
        for (ActorRole r : kActorRoles) {
            const std::string role = actorRoleName(r);
            const std::string sub = "sub-" + role + "-" + std::string(rule.action);
            const Access access = rule.byRole[static_cast<size_t>(r)];
            SCOPED_TRACE(std::string(rule.action) + " as " + role + " (" + accessName(access) + ")");
            JsonPtr answer =
                ask(std::string(rule.plugin), requestFor(rule.action), tokens_.sign(claims(role, sub).get()));
            const std::string actor = pseudonyms.participant(TokenFactory::kIssuer, sub);
            if (access == Access::None) {
                EXPECT_EQ(code(answer), 367) << jsonDump(answer.get());
                expected.push_back({actor, std::string(rule.action), "refused"});
                continue;
            }
            EXPECT_TRUE(code(answer) < 360 || code(answer) > 368) << jsonDump(answer.get());
            expected.push_back({actor, std::string(rule.action), "success"});
            if (rule.action == "fhir.pending") {
                EXPECT_EQ(jsonString(answer.get(), "access").value_or("full"),
                          access == Access::Metadata ? "metadata" : "full")
                    << jsonDump(answer.get());
                EXPECT_EQ(jsonDump(answer.get()).find("visit_id"), std::string::npos);
            }
        }
    }
    EXPECT_EQ(rows, 6) << "audit query/export/pseudonym, FHIR pending/export/retry";

    // Tokens the verifier refuses, each with its code, on both handlers; the admin secret alone is
    // not enough (development is false here) except for the requests that need no actor.
    for (const char* plugin : {kAudit, kFhir}) {
        SCOPED_TRACE(plugin);
        const std::string body = plugin == std::string(kAudit) ? requestFor("audit.query") : requestFor("fhir.retry");
        EXPECT_EQ(code(ask(plugin, body, "")), 360);
        JsonPtr expired = claims("records_officer", "expired");
        const int64_t now = Clock::wallMs() / 1000;
        jsonSet(expired.get(), "iat", now - 600);
        jsonSet(expired.get(), "nbf", now - 600);
        jsonSet(expired.get(), "exp", now - 500);
        EXPECT_EQ(code(ask(plugin, body, tokens_.sign(expired.get()))), 363);
        JsonPtr other = claims("records_officer", "other-audience");
        jsonSet(other.get(), "aud", "janus-hipaa");  // a join token's audience
        EXPECT_EQ(code(ask(plugin, body, tokens_.sign(other.get()))), 362);
        JsonPtr single = claims("compliance_officer", "single-factor");
        jsonSet(single.get(), "amr", jsonParse(R"(["pwd"])"));
        EXPECT_EQ(code(ask(plugin, body, tokens_.sign(single.get()))), 366);
        std::string once = tokens_.sign(claims("compliance_officer", "replayer").get());
        ask(plugin, body, once);
        EXPECT_EQ(code(ask(plugin, body, once)), 364) << "one token, one request";
    }
    expected.push_back({pseudonyms.participant(TokenFactory::kIssuer, "single-factor"), "audit.query", "refused"});
    EXPECT_EQ(code(ask(kAudit, R"({"request":"verify"})", "")), 0) << "verify needs the admin secret only";
    EXPECT_EQ(code(ask(kFhir, R"({"request":"status"})", "")), 0) << "status (counts) needs the admin secret only";

    JsonPtr s = waitStats(*client_, [](const json_t* st) { return settled(st); });
    ASSERT_TRUE(settled(s.get())) << jsonDump(s.get());
    PgConn conn = db_.connect();
    for (const auto& e : expected)
        EXPECT_EQ(scalar(conn, "SELECT count(*) FROM audit_record WHERE actor = '" + e.actor + "' AND action = '" +
                                   e.action + "' AND outcome = '" + e.outcome + "'"),
                  "1")
            << e.action << " " << e.outcome << ": recorded once, under the actor's pseudonym";
    client_.reset();
    EXPECT_EQ(janus_.stop(), 0);
}
