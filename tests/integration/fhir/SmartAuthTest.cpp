// SPDX-License-Identifier: GPL-3.0-or-later
// SMART Backend Services against the FHIR test server's token endpoint, which verifies our assertion.
#include "ClientAssertion.hpp"
#include "FhirClient.hpp"
#include "FhirTestServer.hpp"
#include "SmartBackendAuth.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

using namespace hipaa;
using namespace hipaa::fhir;
using namespace hipaa::fhir::test;

namespace {

std::unique_ptr<FhirClient> client(FhirTestServer& s, const std::string& kid, ClientAssertion::Alg alg,
                                   const std::string& key, SmartBackendAuth** authOut = nullptr) {
    SmartBackendAuth::Options o;
    o.tokenUrl = s.tokenUrl();
    o.scope = "system/Encounter.write";
    o.caBundle = s.file("ca.pem");
    auto auth =
        std::make_unique<SmartBackendAuth>(ClientAssertion(s.file(key), alg, kid, "janus-hipaa-test", s.tokenUrl()), o);
    if (authOut) *authOut = auth.get();
    return std::make_unique<FhirClient>(FhirClient::Options{s.baseUrl(), s.file("ca.pem"), 2000, 5000},
                                        std::move(auth));
}

}  // namespace

TEST(FhirSmartAuth, TokenIsCachedAndRefreshedBeforeItExpires) {
    ::setenv("FHIR_TOKEN_TTL", "3", 1);  // cached for max(ttl - 60, min(ttl / 2, 5)) = 1 s
    FhirTestServer server;
    ::unsetenv("FHIR_TOKEN_TTL");
    SmartBackendAuth* auth = nullptr;
    auto c = client(server, "es384-1", ClientAssertion::Alg::ES384, "client-es384.key", &auth);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(c->get("Encounter?_count=1").status, 200);
    EXPECT_EQ(auth->tokensFetched(), 1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past our refresh point, before its expiry
    EXPECT_EQ(c->get("Encounter?_count=1").status, 200);
    EXPECT_EQ(auth->tokensFetched(), 2u);
    JsonPtr stats = server.stats();
    EXPECT_EQ(jsonInt(stats.get(), "tokens").value_or(0), 2);
    EXPECT_EQ(jsonInt(stats.get(), "unauthorized").value_or(-1), 0);  // never sent an expired token
    EXPECT_EQ(jsonInt(stats.get(), "tokenRejected").value_or(-1), 0);
}

TEST(FhirSmartAuth, Rs384WorksAndAWrongKidIsRefusedByTheServer) {
    FhirTestServer server;
    EXPECT_EQ(
        client(server, "rs384-1", ClientAssertion::Alg::RS384, "client-rs384.key")->get("Encounter?_count=1").status,
        200);
    // The ES384 key presented under the RSA key's kid: the signature does not verify.
    auto wrong = client(server, "rs384-1", ClientAssertion::Alg::ES384, "client-es384.key");
    try {
        wrong->get("Encounter?_count=1");
        FAIL() << "token endpoint accepted an assertion under the wrong kid";
    } catch (const HttpError& e) {
        EXPECT_EQ(e.status(), 401);
    }
    SendResult r = wrong->sendTransaction(R"({"resourceType":"Bundle","type":"transaction","entry":[]})");
    EXPECT_EQ(r.kind, SendResult::Kind::Retry);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(jsonInt(server.stats().get(), "tokenRejected").value_or(0), 2);
    EXPECT_EQ(jsonInt(server.stats().get(), "writes").value_or(-1), 0);
}
