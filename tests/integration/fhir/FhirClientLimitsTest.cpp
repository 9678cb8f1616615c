// SPDX-License-Identifier: GPL-3.0-or-later
// What FhirClient accepts from the other end: the FHIR test server over verified HTTPS, and never an
// oversized answer or a redirect to plain http (tiny local responders play a misbehaving EHR).
#include <gtest/gtest.h>

#include "BearerFileAuth.hpp"
#include "FhirClient.hpp"
#include "FhirTestServer.hpp"
#include "LocalHttpServer.hpp"
#include "hipaa/Errors.hpp"

using namespace hipaa;
using namespace hipaa::fhir;
using hipaa::test::LocalHttpServer;

namespace {

std::unique_ptr<FhirClient> client(const std::string& base, const std::string& ca, const std::string& tokenFile) {
    return std::make_unique<FhirClient>(FhirClient::Options{base, ca, 2000, 10000},
                                        std::make_unique<BearerFileAuth>(tokenFile));
}

}  // namespace

TEST(FhirClientLimits, TalksToTheFhirTestServerOverHttps) {
    fhir::test::FhirTestServer server;
    auto c = client(server.baseUrl(), server.file("ca.pem"), server.file("bearer-token"));
    HttpResponse r = c->get("metadata");
    EXPECT_EQ(r.status, 200);
    EXPECT_LT(r.body.size(), kHttpMaxResponseBytes);
    SendResult s = c->sendTransaction(R"({"resourceType":"Bundle","type":"transaction","entry":[]})");
    EXPECT_EQ(s.kind, SendResult::Kind::Sent) << s.error;
}

// An EHR (or whatever answers in its place) sending a huge body: the transfer stops at 1 MiB, the
// bundle is retried later (conditional creates make that safe), nothing grows without bound.
TEST(FhirClientLimits, OversizedAnswerIsRefusedAndRetried) {
    hipaa::test::TempDir dir;
    std::string token = dir.write("token", "tok-1");
    LocalHttpServer ehr(true, LocalHttpServer::response("200 OK", std::string(kHttpMaxResponseBytes + 1, '{'),
                                                        "Content-Type: application/fhir+json\r\n"));
    SendResult s = client(ehr.url("/fhir"), ehr.caFile(), token)->sendTransaction("{}");
    EXPECT_EQ(s.kind, SendResult::Kind::Retry);
    EXPECT_EQ(s.status, 0);
    EXPECT_NE(s.error.find("response body larger than 1048576 bytes"), std::string::npos) << s.error;
}

TEST(FhirClientLimits, RedirectToPlainHttpIsNotFollowed) {
    hipaa::test::TempDir dir;
    std::string token = dir.write("token", "tok-1");
    LocalHttpServer plain(false, LocalHttpServer::response("200 OK", "{}"));
    LocalHttpServer ehr(
        true, LocalHttpServer::response("307 Temporary Redirect", "", "Location: " + plain.url("/fhir") + "\r\n"));
    SendResult s = client(ehr.url("/fhir"), ehr.caFile(), token)->sendTransaction("{}");
    EXPECT_EQ(s.kind, SendResult::Kind::Retry);
    EXPECT_EQ(s.status, 307);
    EXPECT_EQ(plain.connections(), 0) << "the bundle went to a plain-http address";
}
