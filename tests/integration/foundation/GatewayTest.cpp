// SPDX-License-Identifier: GPL-3.0-or-later
// The real Debian /usr/bin/janus with our four plugins loaded from the build tree.
#include "JanusClient.hpp"
#include "JanusProcess.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;

namespace {

const char* const kMediaPlugins[] = {"janus.plugin.hipaa.room", "janus.plugin.hipaa.recorder"};
const char* const kEventHandlers[] = {"janus.eventhandler.hipaa.audit", "janus.eventhandler.hipaa.fhir"};

void expectCleanExit(JanusProcess& janus) {
    int status = janus.stop();
    std::string log = janus.log();
    EXPECT_EQ(status, 0) << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
    EXPECT_NE(log.find("Bye!"), std::string::npos);  // Janus' last line after a complete shutdown
    for (const char* bad : {"Segmentation", "double free", "corrupted", "Aborted", "[FATAL]"})
        EXPECT_EQ(log.find(bad), std::string::npos) << bad;
    for (const auto& finding : janus.sanitizerFindings()) ADD_FAILURE() << finding;
}

}  // namespace

TEST(Gateway, LoadsAllFourPluginsAndEachAnswersInfo) {
    JanusProcess janus;
    janus.start();
    JanusClient client(janus);

    JsonPtr info = client.adminInfo();
    const json_t* plugins = json_object_get(info.get(), "plugins");
    const json_t* handlers = json_object_get(info.get(), "events");
    for (const char* p : kMediaPlugins) EXPECT_TRUE(json_object_get(plugins, p)) << p << " not loaded";
    for (const char* h : kEventHandlers) EXPECT_TRUE(json_object_get(handlers, h)) << h << " not loaded";
    EXPECT_TRUE(json_object_get(plugins, "janus.plugin.videoroom"));  // stock plugins side by side

    JsonPtr req = J(R"({"request":"info"})");
    for (const char* p : kMediaPlugins) {
        JsonPtr r = client.messagePlugin(p, req.get());
        EXPECT_EQ(jsonString(r.get(), "plugin").value_or(""), p);
        EXPECT_EQ(jsonString(r.get(), "version").value_or(""), "0.1.0");
        EXPECT_TRUE(json_is_object(json_object_get(r.get(), "config"))) << jsonDump(r.get());
    }
    for (const char* h : kEventHandlers) {
        JsonPtr r = client.queryHandler(h, req.get());
        EXPECT_EQ(jsonString(r.get(), "plugin").value_or(""), h);
        EXPECT_TRUE(json_is_object(json_object_get(r.get(), "config"))) << jsonDump(r.get());
    }
    // Secrets are files; their content never appears in `info`.
    std::string fhirInfo = jsonDump(client.queryHandler("janus.eventhandler.hipaa.fhir", req.get()).get());
    std::string token = readFile(janus.configFile("keys/fhir-token"));
    token.pop_back();
    EXPECT_EQ(fhirInfo.find(token), std::string::npos);
    expectCleanExit(janus);
}

TEST(Gateway, AuditHandlerReceivesCoreEvents) {
    JanusProcess janus;
    janus.start();
    JanusClient client(janus);
    uint64_t session = client.createSession();
    uint64_t handle = client.attach(session, "janus.plugin.echotest");
    client.detach(session, handle);
    client.destroySession(session);

    // Janus delivers events asynchronously: poll the handler's counters.
    JsonPtr req = J(R"({"request":"info"})");
    int64_t sessions = 0, handles = 0;
    for (int i = 0; i < 100 && (sessions < 2 || handles < 2); ++i) {
        JsonPtr r = client.queryHandler("janus.eventhandler.hipaa.audit", req.get());
        const json_t* byType = json_object_get(json_object_get(r.get(), "events"), "by_type");
        sessions = jsonInt(byType, "1").value_or(0);  // JANUS_EVENT_TYPE_SESSION: created, destroyed
        handles = jsonInt(byType, "2").value_or(0);   // JANUS_EVENT_TYPE_HANDLE: attached, detached
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_GE(sessions, 2);
    EXPECT_GE(handles, 2);
    expectCleanExit(janus);
}

TEST(Gateway, ClientApiReachesOurPluginAndAnswersHonestly) {
    JanusProcess janus;
    janus.start();
    JanusClient client(janus);
    uint64_t session = client.createSession();
    uint64_t handle = client.attach(session, "janus.plugin.hipaa.room");
    // The room answers on its worker thread: an ack now, then the error (missing "room") as an event.
    JsonPtr ack = client.message(session, handle, J(R"({"request":"join"})").get());
    EXPECT_EQ(jsonString(ack.get(), "janus").value_or(""), "ack") << jsonDump(ack.get());
    JsonPtr ev = client.waitEvent(session, [](const json_t* e) { return json_object_get(e, "plugindata") != nullptr; });
    ASSERT_TRUE(ev);
    const json_t* data = json_object_get(json_object_get(ev.get(), "plugindata"), "data");
    EXPECT_EQ(jsonInt(data, "error_code").value_or(0), 302) << jsonDump(ev.get());
    JsonPtr sessionsInfo = client.messagePlugin("janus.plugin.hipaa.room", J(R"({"request":"info"})").get());
    EXPECT_EQ(jsonInt(sessionsInfo.get(), "sessions").value_or(0), 1);
    client.detach(session, handle);
    // Janus answers detach before destroy_session has run on its thread; poll instead of racing it.
    int64_t remaining = -1;
    for (int i = 0; i < 100 && remaining != 0; ++i) {
        sessionsInfo = client.messagePlugin("janus.plugin.hipaa.room", J(R"({"request":"info"})").get());
        remaining = jsonInt(sessionsInfo.get(), "sessions").value_or(-1);
        if (remaining != 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(remaining, 0);  // destroy_session reached the core
    client.destroySession(session);
    expectCleanExit(janus);
}

TEST(Gateway, InvalidConfigKeepsThatPluginOutAndNamesTheKey) {
    JanusProcess janus;
    // The generated (valid) room config with one typo: the room must refuse it and name the key.
    std::string room = readFile(janus.configFile("janus.plugin.hipaa.room.jcfg"));
    room.replace(room.find("development = true"), 18, "developmnet = true");
    janus.writeConfig("janus.plugin.hipaa.room.jcfg", room);
    janus.writeConfig("janus.eventhandler.hipaa.audit.jcfg", "general: { queue_capacity = 5 }\n");
    janus.start();
    JanusClient client(janus);
    JsonPtr info = client.adminInfo();
    EXPECT_FALSE(json_object_get(json_object_get(info.get(), "plugins"), "janus.plugin.hipaa.room"));
    // Janus 1.1.2 keeps an event handler registered even when its init fails: ours then answers
    // every request with why it is not running (and receives no events).
    JsonPtr audit = client.queryHandler("janus.eventhandler.hipaa.audit", J(R"({"request":"info"})").get());
    EXPECT_EQ(jsonInt(audit.get(), "error_code").value_or(0), 310) << jsonDump(audit.get());
    EXPECT_NE(jsonString(audit.get(), "error").value_or("").find("general.queue_capacity"), std::string::npos);
    EXPECT_TRUE(json_object_get(json_object_get(info.get(), "plugins"), "janus.plugin.hipaa.recorder"));
    std::string log = janus.log();
    EXPECT_NE(log.find("general.developmnet: unknown setting"), std::string::npos) << log;
    EXPECT_NE(log.find("general.queue_capacity: must be between 1024 and 16777216"), std::string::npos) << log;
    expectCleanExit(janus);
}
