// SPDX-License-Identifier: GPL-3.0-or-later
// The FHIR handler inside the real Debian Janus: loads with a real config (PostgreSQL outbox, the FHIR
// test server over HTTPS with the test CA, SMART auth), answers status, sends nothing without visits.
#include "FhirTestServer.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "TestDatabase.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace hipaa;
using namespace hipaa::test;
using hipaa::fhir::test::FhirTestServer;

TEST(JanusFhir, LoadsWithARealConfigAnswersStatusAndSendsNothingWithoutVisits) {
    TestDatabase db;
    FhirTestServer server;
    JanusProcess janus;
    std::string keys = janus.configDir() + "/keys/";
    janus.writeConfig("janus.eventhandler.hipaa.fhir.jcfg",
                      "general: {\n"
                      "  base_url = \"" +
                          server.baseUrl() +
                          "\"\n"
                          "  ca_file = \"" +
                          server.file("ca.pem") +
                          "\"\n"
                          "  auth = \"smart\"\n"
                          "  smart_token_url = \"" +
                          server.tokenUrl() +
                          "\"\n"
                          "  smart_client_id = \"janus-hipaa-test\"\n"
                          "  smart_key_file = \"" +
                          server.file("client-es384.key") +
                          "\"\n"
                          "  smart_alg = \"ES384\"\n"
                          "  smart_kid = \"es384-1\"\n"
                          "  instance_id = \"janus-test\"\n"
                          "  development = true\n"
                          "}\n"
                          "outbox: {\n"
                          "  conninfo = \"" +
                          db.conninfo() +
                          "\"\n"
                          "  key_file = \"" +
                          keys +
                          "fhir-outbox.key\"\n"
                          "  poll_interval_ms = 100\n"
                          "}\n");
    janus.start();
    JanusClient client(janus);
    JsonPtr info = client.queryHandler("janus.eventhandler.hipaa.fhir", J(R"({"request":"info"})").get());
    EXPECT_EQ(jsonString(info.get(), "auth").value_or(""), "smart") << jsonDump(info.get());
    EXPECT_EQ(jsonDump(info.get()).find(db.conninfo()), std::string::npos);
    std::this_thread::sleep_for(std::chrono::seconds(1));  // workers polled the outbox several times
    JsonPtr status = client.queryHandler("janus.eventhandler.hipaa.fhir", J(R"({"request":"status"})").get());
    for (const char* k : {"pending", "failed", "sent", "dead", "held_notes"})
        EXPECT_EQ(jsonInt(status.get(), k).value_or(-1), 0) << k << " " << jsonDump(status.get());
    JsonPtr bad = client.queryHandler("janus.eventhandler.hipaa.fhir", J(R"({"request":"retry","id":7})").get());
    EXPECT_EQ(jsonInt(bad.get(), "error_code").value_or(0), 400) << jsonDump(bad.get());
    JsonPtr stats = server.stats();
    EXPECT_EQ(jsonInt(stats.get(), "writes").value_or(-1), 0);
    EXPECT_EQ(jsonInt(stats.get(), "tokens").value_or(-1), 0);  // no token fetched before there is work
    int rc = janus.stop();
    std::string log = janus.log();
    EXPECT_EQ(rc, 0) << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
    EXPECT_NE(log.find("fhir: exporting to"), std::string::npos);
    EXPECT_EQ(log.find("outbox unavailable"), std::string::npos) << log;
}
