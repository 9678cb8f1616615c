// SPDX-License-Identifier: GPL-3.0-or-later
// Actor tokens: the verifier's refusals (each its own code), the access table, and the gate writing
// every decision, refusals included, to the audit trail before anything is read.
#include "AuditTrailSpy.hpp"
#include "TokenFactory.hpp"

#include "hipaa/ActorGate.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using hipaa::room::test::TokenFactory;
using hipaa::test::AuditTrailSpy;

namespace {

constexpr int64_t kNow = 1800000000;

struct Fixture {
    TokenFactory factory;
    Pseudonymizer pseudonyms{secureRandomBytes(32)};
    std::shared_ptr<ActorVerifier> verifier() const {
        ActorPolicy p;
        p.issuers = {TokenFactory::kIssuer};
        p.audience = "janus-hipaa-admin";
        return std::make_shared<ActorVerifier>(p, factory.keys(), pseudonyms);
    }
    JsonPtr claims(const std::string& role, const std::string& sub = "person-1", int64_t ttl = 120) const {
        JsonPtr c = factory.claims("unused", role, kNow, sub, ttl);
        json_object_del(c.get(), "room");
        jsonSet(c.get(), "aud", "janus-hipaa-admin");
        jsonSet(c.get(), "amr", jsonParse(R"(["pwd","otp"])"));
        return c;
    }
    std::string token(const json_t* c, const std::string& alg = "ES256") const { return factory.sign(c, alg); }
};

int refusalCode(ActorVerifier& v, const std::string& token, int64_t now = kNow) {
    try {
        v.verify(token, now);
    } catch (const ActorError& e) {
        return e.code();
    }
    return 0;
}

}  // namespace

TEST(ActorVerifier, AcceptsEachDocumentedRoleOnceAndNamesThePersonByTheRoomsPseudonym) {
    Fixture f;
    auto v = f.verifier();
    for (ActorRole role : kActorRoles) {
        JsonPtr c = f.claims(actorRoleName(role), std::string("sub-") + actorRoleName(role));
        std::string t = f.token(c.get());
        Actor a = v->verify(t, kNow);
        EXPECT_EQ(a.role, role);
        EXPECT_EQ(a.pseudonym, f.pseudonyms.participant(TokenFactory::kIssuer, a.sub));
        EXPECT_EQ(refusalCode(*v, t), errc::kActorTokenReplayed) << "one token, one request";
    }
}

TEST(ActorVerifier, EachRefusalHasItsOwnCode) {
    Fixture f;
    auto v = f.verifier();
    auto with = [&](auto edit, const std::string& role = "records_officer") {
        JsonPtr c = f.claims(role);
        edit(c.get());
        return f.token(c.get());
    };
    EXPECT_EQ(refusalCode(*v, "a.b"), errc::kActorTokenInvalid);
    EXPECT_EQ(refusalCode(*v, f.token(f.claims("provider").get(), "HS256")), errc::kActorTokenInvalid) << "HS256 never";
    std::string forged = f.token(f.claims("provider").get());
    forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(refusalCode(*v, forged), errc::kActorTokenInvalid);
    EXPECT_EQ(refusalCode(*v, with([](json_t* c) { jsonSet(c, "aud", "janus-hipaa"); })), errc::kActorTokenNotOurs);
    EXPECT_EQ(refusalCode(*v, with([](json_t* c) { jsonSet(c, "iss", "https://evil.test"); })),
              errc::kActorTokenNotOurs);
    EXPECT_EQ(refusalCode(*v, f.token(f.claims("provider").get()), kNow + 3600), errc::kActorTokenExpired);
    EXPECT_EQ(refusalCode(*v, f.token(f.claims("provider", "p", 3600).get())), errc::kActorTokenExpired)
        << "longer-lived than actors.max_lifetime";
    EXPECT_EQ(refusalCode(*v, with([](json_t*) {}, "interpreter")), errc::kActorRoleUnknown);
    EXPECT_EQ(refusalCode(*v, with([](json_t* c) { json_object_del(c, "role"); })), errc::kActorRoleUnknown);
    EXPECT_EQ(refusalCode(*v, with([](json_t* c) { jsonSet(c, "amr", jsonParse(R"(["pwd"])")); })),
              errc::kActorMfaRequired);
    EXPECT_EQ(refusalCode(*v, with([](json_t* c) { json_object_del(c, "amr"); }, "patient")), 0)
        << "patients need no second factor";
    EXPECT_EQ(refusalCode(*v, with([](json_t* c) { json_object_del(c, "jti"); })), errc::kActorTokenInvalid);
}

TEST(AccessRules, EveryActionHasARowAndUnknownActionsAreRefused) {
    std::set<std::string_view> seen;
    for (const auto& r : accessRules()) EXPECT_TRUE(seen.insert(r.action).second) << r.action;
    EXPECT_EQ(accessFor(ActorRole::RecordsOfficer, "recording.delete"), Access::Any);
    EXPECT_EQ(accessFor(ActorRole::ComplianceOfficer, "recording.export"), Access::None) << "no media";
    EXPECT_EQ(accessFor(ActorRole::Patient, "recording.export"), Access::OwnSealed);
    EXPECT_EQ(accessFor(ActorRole::Support, "recording.list"), Access::Metadata);
    EXPECT_EQ(accessFor(ActorRole::RecordsOfficer, "recording.unheard_of"), Access::None);
}

TEST(ActorGate, RecordsTheDecisionBeforeAnswerAndRefusalsToo) {
    Fixture f;
    AuditTrailSpy trail;
    ActorGate gate("janus.plugin.hipaa.recorder", false, f.verifier(), [] { return kNow; });
    JsonPtr object = jsonParse(R"({"recording":"00112233445566778899aabbccddeeff"})");

    JsonPtr request = jsonParse(R"({"request":"export"})");
    EXPECT_THROW(gate.admit(request.get(), "recording.export", object), RequestError);
    ASSERT_EQ(trail.records().size(), 1u);
    EXPECT_FALSE(trail.records()[0].allowed);
    EXPECT_EQ(trail.records()[0].reason, "actor_token_missing");

    JsonPtr c = f.claims("compliance_officer", "officer-1");
    jsonSet(request.get(), "actor_token", f.token(c.get()));
    try {
        gate.admit(request.get(), "recording.export", object);
        ADD_FAILURE() << "a compliance officer exported media";
    } catch (const RequestError& e) {
        EXPECT_EQ(e.code(), errc::kActorForbidden);
    }
    ASSERT_EQ(trail.records().size(), 2u);
    EXPECT_EQ(trail.records()[1].actor, f.pseudonyms.participant(TokenFactory::kIssuer, "officer-1"));
    EXPECT_EQ(trail.records()[1].role, "compliance_officer");
    EXPECT_EQ(trail.records()[1].reason, "role_forbidden");

    jsonSet(request.get(), "actor_token", f.token(f.claims("records_officer", "ro-1").get()));
    ActorDecision d = gate.admit(request.get(), "recording.export", object);
    EXPECT_EQ(d.access, Access::Any);
    trail.full = true;
    try {
        gate.allow(d, object);
        ADD_FAILURE() << "allowed without a record";
    } catch (const RequestError& e) {
        EXPECT_EQ(e.code(), errc::kAccessNotRecorded);
    }
    trail.full = false;
    gate.allow(d, object);
    ASSERT_EQ(trail.records().size(), 3u);
    EXPECT_TRUE(trail.records()[2].allowed);
    EXPECT_STREQ(json_string_value(json_object_get(trail.records()[2].object.get(), "recording")),
                 "00112233445566778899aabbccddeeff");
}

TEST(ActorGate, WithoutTheAuditHandlerNothingIsAllowed) {
    Fixture f;
    ActorGate gate("janus.eventhandler.hipaa.fhir", false, f.verifier(), [] { return kNow; });
    JsonPtr request = jsonObject();
    jsonSet(request.get(), "actor_token", f.token(f.claims("records_officer").get()));
    ActorDecision d = gate.admit(request.get(), "fhir.retry", nullptr);
    EXPECT_THROW(gate.allow(d, nullptr), RequestError);
}

TEST(ActorGate, TheAdminSecretAloneIsEnoughInDevelopmentOnly) {
    AuditTrailSpy trail;
    JsonPtr request = jsonParse(R"({"request":"list"})");
    ActorGate production("janus.plugin.hipaa.recorder", false, nullptr);
    try {
        production.admit(request.get(), "recording.list", nullptr);
        ADD_FAILURE();
    } catch (const RequestError& e) {
        EXPECT_EQ(e.code(), errc::kActorTokenMissing);
    }
    ActorGate development("janus.plugin.hipaa.recorder", true, nullptr);
    ActorDecision d = development.admit(request.get(), "recording.list", nullptr);
    development.allow(d, nullptr);
    EXPECT_EQ(trail.records().back().actor, "admin_secret");
    EXPECT_TRUE(d.owns({}, {}));
}

TEST(AuditTrail, RecordsMadeBeforeTheHandlerLoadsAreKeptForIt) {
    AccessRecord r;
    r.plugin = "janus.plugin.hipaa.room";
    r.action = "config.loaded";
    AuditTrail::recordWhenLoaded(r);
    std::vector<AccessRecord> kept = AuditTrail::takeKept();
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].action, "config.loaded");
    AuditTrailSpy trail;
    AuditTrail::recordWhenLoaded(r);
    EXPECT_EQ(trail.records().size(), 1u);
    EXPECT_TRUE(AuditTrail::takeKept().empty());
}
