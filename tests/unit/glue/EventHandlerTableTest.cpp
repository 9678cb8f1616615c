// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeJanus.hpp"
#include "PluginTables.hpp"
#include "TempDir.hpp"
#include "hipaa/AuditHealthProbe.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <thread>

using namespace hipaa;
using namespace hipaa::test;

namespace {
// The audit handler needs its policy and three 0600 keys; no database: records go to the spool.
void writeAuditConfig(TempDir& dir, const std::string& spoolExtra = "") {
    std::string key = std::string(64, 'a') + "\n";
    dir.write("janus.eventhandler.hipaa.audit.jcfg",
              "general: { enabled = true queue_capacity = 1024 policy_file = \"" HIPAA_SOURCE_DIR
              "/conf/janus.eventhandler.hipaa.audit.policy.jcfg\" pseudonym_key_file = \"" +
                  dir.write("ps.key", key) + "\" }\nchain: { signing_key_file = \"" + dir.write("sign.key", key) +
                  "\" }\nspool: { dir = \"" + dir.file("spool") + "\" key_file = \"" + dir.write("spool.key", key) +
                  "\" " + spoolExtra + " }\n");
}
}  // namespace

TEST(AuditHandlerTable, ReceivesEventsWithoutTakingThem) {
    TempDir dir;
    writeAuditConfig(dir);
    janus_eventhandler* h = hipaa_audit_eventhandler();
    EXPECT_EQ(h->get_api_compatibility(), JANUS_EVENTHANDLER_API_VERSION);
    EXPECT_STREQ(h->get_package(), "janus.eventhandler.hipaa.audit");
    EXPECT_EQ(h->events_mask, static_cast<janus_flags>(JANUS_EVENT_TYPE_ALL));
    ASSERT_EQ(h->init(dir.path().c_str()), 0) << janusLogText();

    json_t* session = json_pack("{si s{ss}}", "type", JANUS_EVENT_TYPE_SESSION, "event", "name", "created");
    json_t* handle = json_pack("{si s{ss}}", "type", JANUS_EVENT_TYPE_HANDLE, "event", "name", "attached");
    h->incoming_event(session);
    h->incoming_event(handle);
    // Borrowed: the handler keeps its own reference while queued and never releases ours.
    EXPECT_GE(session->refcount, 1u);
    JsonPtr info;
    for (int i = 0; i < 200; ++i) {
        info.reset(h->handle_request(jsonParse(R"({"request":"info"})").get()));
        if (jsonInt(json_object_get(info.get(), "events"), "processed").value_or(0) == 2) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const json_t* events = json_object_get(info.get(), "events");
    EXPECT_EQ(jsonInt(events, "received").value_or(0), 2);
    EXPECT_EQ(jsonInt(json_object_get(events, "by_type"), "1").value_or(0), 1);
    EXPECT_EQ(jsonInt(json_object_get(events, "by_type"), "2").value_or(0), 1);
    EXPECT_EQ(jsonString(info.get(), "hipaa.audit").value_or("(none)"), "success");
    JsonPtr bad(h->handle_request(jsonParse(R"({"request":"verify","from_seq":0})").get()));
    EXPECT_TRUE(jsonInt(bad.get(), "error_code"));
    EXPECT_EQ(jsonString(bad.get(), "hipaa.audit").value_or("(none)"), "error");
    h->destroy();
    EXPECT_EQ(session->refcount, 1u);  // every queued reference released
    EXPECT_EQ(handle->refcount, 1u);
    json_decref(session);
    json_decref(handle);
}

// A key file error names the config key that points at the file.
TEST(AuditHandlerTable, KeyFileErrorsNameTheConfigKey) {
    TempDir dir;
    writeAuditConfig(dir);
    ASSERT_EQ(::chmod(dir.file("sign.key").c_str(), 0644), 0);
    clearJanusLog();
    EXPECT_EQ(hipaa_audit_eventhandler()->init(dir.path().c_str()), -1);
    EXPECT_NE(janusLogText().find("chain.signing_key_file: secret file " + dir.file("sign.key")), std::string::npos)
        << janusLogText();
}

// What the room asks before a visit starts (fail closed): the AuditHealthProbe in-process, `health` on
// the Admin API. Healthy while records reach the spool; unhealthy ("spool_full") once the 1 MiB spool
// is full; gone from the process when the handler is destroyed.
TEST(AuditHandlerTable, HealthIsOfferedInProcessAndFailsWhenTheSpoolIsFull) {
    TempDir dir;
    writeAuditConfig(dir, "max_mb = 1");
    janus_eventhandler* h = hipaa_audit_eventhandler();
    ASSERT_EQ(h->init(dir.path().c_str()), 0) << janusLogText();
    auto problem = [] { return AuditHealthProbe::inProcess().require()->auditProblem(); };
    ASSERT_TRUE(AuditHealthProbe::inProcess().available());
    EXPECT_EQ(problem(), "");
    JsonPtr ask = jsonParse(R"({"request":"health"})");

    // ~300 bytes per spooled record: some thousands of events fill 1 MiB.
    json_t* ev = json_pack("{si s{ss}}", "type", JANUS_EVENT_TYPE_SESSION, "event", "name", "created");
    std::string why;
    // Paced (100 at a time, then until the writer took them) so the 1024-event queue never nears full
    // (that would answer queue_full first, e.g. under ASan).
    for (int i = 0; i < 400 && why.empty(); ++i) {
        for (int j = 0; j < 100; ++j) h->incoming_event(ev);
        for (int t = 0; t < 1000; ++t) {
            why = problem();
            JsonPtr health(h->handle_request(ask.get()));
            if (!why.empty() || jsonInt(health.get(), "queued").value_or(0) == 0) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    EXPECT_EQ(why, "spool_full");
    JsonPtr viaAdmin(h->handle_request(ask.get()));
    EXPECT_EQ(jsonBool(viaAdmin.get(), "healthy"), std::optional<bool>(false)) << jsonDump(viaAdmin.get());
    EXPECT_EQ(jsonString(viaAdmin.get(), "reason").value_or(""), "spool_full") << jsonDump(viaAdmin.get());
    h->destroy();
    EXPECT_FALSE(AuditHealthProbe::inProcess().available());
    json_decref(ev);
}

TEST(AuditHandlerTable, DisabledInConfigDoesNotLoad) {
    TempDir dir;
    dir.write("janus.eventhandler.hipaa.audit.jcfg", "general: { enabled = false }");
    janus_eventhandler* h = hipaa_audit_eventhandler();
    EXPECT_EQ(h->init(dir.path().c_str()), -1);
    // Janus ignores init's result for event handlers: the handler must make itself inert.
    EXPECT_EQ(h->events_mask, static_cast<janus_flags>(JANUS_EVENT_TYPE_NONE));
    JsonPtr r(h->handle_request(jsonParse(R"({"request":"info"})").get()));
    EXPECT_EQ(jsonInt(r.get(), "error_code").value_or(0), 310);
    EXPECT_EQ(jsonString(r.get(), "hipaa.audit").value_or("(none)"), "error");  // the envelope, also when not running
    EXPECT_NE(jsonString(r.get(), "error").value_or("").find("disabled"), std::string::npos);
    h->incoming_event(jsonParse(R"({"type":1})").get());  // ignored, no crash
}

TEST(FhirHandlerTable, ValidatesConfigAndRedactsNothingSecretIntoInfo) {
    TempDir dir;
    clearJanusLog();
    janus_eventhandler* h = hipaa_fhir_eventhandler();
    EXPECT_EQ(h->events_mask, static_cast<janus_flags>(JANUS_EVENT_TYPE_NONE));  // PHI never on the event bus
    std::string token = dir.write("token", "tok-SECRET-123", 0600);
    std::string key = dir.write("outbox.key", std::string(64, 'a'), 0600);
    // The outbox database is connected lazily: an unreachable one does not keep the handler from loading.
    dir.write("janus.eventhandler.hipaa.fhir.jcfg",
              "general: { base_url = \"https://ehr.test/fhir\" bearer_token_file = \"" + token +
                  "\" }\n"
                  "outbox: { conninfo = \"host=127.0.0.1 port=1 password=pg-SECRET-456\" key_file = \"" +
                  key + "\" }");
    ASSERT_EQ(h->init(dir.path().c_str()), 0) << janusLogText();
    JsonPtr info(h->handle_request(jsonParse(R"({"request":"info"})").get()));
    std::string text = jsonDump(info.get());
    EXPECT_NE(text.find("\"plugin\":\"janus.eventhandler.hipaa.fhir\""), std::string::npos);
    EXPECT_EQ(jsonString(info.get(), "hipaa.fhir").value_or("(none)"), "success");
    JsonPtr bad(h->handle_request(jsonParse(R"({"request":"nope"})").get()));
    EXPECT_EQ(jsonInt(bad.get(), "error_code").value_or(0), 304);
    EXPECT_EQ(jsonString(bad.get(), "hipaa.fhir").value_or("(none)"), "error");
    EXPECT_EQ(text.find("tok-SECRET-123"), std::string::npos);
    EXPECT_EQ(text.find("pg-SECRET-456"), std::string::npos);
    h->destroy();
    EXPECT_EQ(janusLogText().find("tok-SECRET-123"), std::string::npos);
    EXPECT_EQ(janusLogText().find("pg-SECRET-456"), std::string::npos);
}

TEST(FhirHandlerTable, RefusesPlainHttpAndWorldReadableTokens) {
    TempDir dir;
    janus_eventhandler* h = hipaa_fhir_eventhandler();
    std::string token = dir.write("token", "tok", 0644);
    dir.write("janus.eventhandler.hipaa.fhir.jcfg",
              "general: { base_url = \"https://ehr.test/fhir\" bearer_token_file = \"" + token +
                  "\" }\noutbox: { conninfo = \"host=127.0.0.1\" key_file = \"" + dir.file("outbox.key") + "\" }\n");
    clearJanusLog();
    EXPECT_EQ(h->init(dir.path().c_str()), -1);
    EXPECT_NE(janusLogText().find("must be 0600"), std::string::npos) << janusLogText();
    EXPECT_NE(janusLogText().find("general.bearer_token_file: secret file " + token), std::string::npos)
        << janusLogText();
    dir.write("janus.eventhandler.hipaa.fhir.jcfg", "general: { base_url = \"http://ehr.test/fhir\" auth = \"none\" }");
    clearJanusLog();
    EXPECT_EQ(h->init(dir.path().c_str()), -1);
    EXPECT_NE(janusLogText().find("general.base_url: must start with https://"), std::string::npos) << janusLogText();
}
