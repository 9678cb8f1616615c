// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeGateway.hpp"
#include "FakeJanus.hpp"
#include "PluginTables.hpp"
#include "TempDir.hpp"
#include "hipaa/Json.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;

namespace {

struct Plugin {
    const char* package;
    janus_plugin* (*table)();
    const char* config;
    const char* envelope;  // the key of every synchronous answer's envelope
};

// Minimal valid configs, written into a temporary Janus config folder.
const Plugin kPlugins[] = {
    {"janus.plugin.hipaa.room", &hipaa_room_plugin, "room", "hipaa.room"},
    {"janus.plugin.hipaa.recorder", &hipaa_recorder_plugin, nullptr, "hipaa.recorder"},
};

// The room refuses to start without a pseudonym key and a token key (fail closed): give it both.
std::string roomConfig(TempDir& dir) {
    dir.write("pseudonym.key", std::string(64, 'a'), 0600);
    dir.write("issuer.pem",
              "-----BEGIN PUBLIC KEY-----\n"
              "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEz40KERdtDtWwVNXOQg2kc/eem2Bt\n"
              "lP1LPaV9q+isFdzD3fQalyurjXO2SJhHPo3ZBfWEsHU/yYPw8Sn3WZb5XQ==\n"
              "-----END PUBLIC KEY-----\n",
              0600);
    return "general: { development = false\n pseudonym_key_file = \"" + dir.file("pseudonym.key") +
           "\" }\ntokens: { issuers = \"https://idp.example\"\n audience = \"janus-hipaa\" }\n"
           "keys: { pem_files = \"k1=" +
           dir.file("issuer.pem") + "\" }\n";
}

void PrintTo(const Plugin& p, std::ostream* os) { *os << p.package; }

// The envelope value of an answer ("success" / "error"), "(none)" without one.
std::string envelopeOf(const json_t* answer, const char* key) {
    return std::string(jsonString(answer, key).value_or("(none)"));
}

class MediaPluginTable : public ::testing::TestWithParam<Plugin> {
protected:
    void SetUp() override {
        FakeGateway::instance().reset();
        clearJanusLog();
        std::string cfg = GetParam().config ? roomConfig(dir) : recorderConfig();
        dir.write(std::string(GetParam().package) + ".jcfg", cfg, 0644);
    }
    janus_plugin* p() { return GetParam().table(); }
    // The recorder needs a keyring and a signing key (0600) besides its folder.
    std::string recorderConfig() const {
        std::string ring = dir.write("recorder-keyring", "1 kek " + std::string(64, 'a') + "\n");
        std::string sign = dir.write("recorder-signing.key", std::string(64, 'b') + "\n");
        return "general: {\n recordings_dir = \"" + dir.file("rec") + "\"\n keyring = \"" + ring +
               "\"\n signing_key = \"" + sign +
               "\"\n}\n"
               "policies: { standard = \"30d\" }\n";
    }
    TempDir dir;
};

}  // namespace

TEST_P(MediaPluginTable, DescribesItselfForJanus) {
    EXPECT_EQ(p()->get_api_compatibility(), JANUS_PLUGIN_API_VERSION);
    EXPECT_STREQ(p()->get_package(), GetParam().package);
    EXPECT_EQ(p()->get_version(), 100);
    EXPECT_STREQ(p()->get_version_string(), "0.1.0");
    EXPECT_NE(std::string(p()->get_name()), "");
}

TEST_P(MediaPluginTable, LifecycleThroughTheCTable) {
    ASSERT_EQ(p()->init(FakeGateway::instance().callbacks(), dir.path().c_str()), 0) << janusLogText();

    FakeHandle h;
    int err = -1;
    p()->create_session(&h.session, &err);
    EXPECT_EQ(err, 0);
    EXPECT_EQ(h.refs(), 2);  // the plugin holds a reference while the session lives

    // handle_message: the plugin owns transaction, message and jsep (ASan would flag a leak or double free).
    janus_plugin_result* r =
        p()->handle_message(&h.session, g_strdup("tx1"), json_pack("{ss}", "request", "join"), nullptr);
    ASSERT_NE(r, nullptr);
    if (std::string(GetParam().package) == "janus.plugin.hipaa.room") {
        // Queued to the room's worker; the answer (here: missing field "room") comes as a push_event.
        EXPECT_EQ(r->type, JANUS_PLUGIN_OK_WAIT);
        EXPECT_TRUE(FakeGateway::instance().waitFor([](const FakeGateway& g) {
            auto pushed = g.pushed();
            return !pushed.empty() && jsonInt(pushed[0].message.get(), "error_code").value_or(0) == 302 &&
                   pushed[0].transaction == "tx1";
        }));
        // The worker still holds its own handle reference for a moment after push_event returned.
        for (int i = 0; i < 500 && h.refs() != 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    } else {
        EXPECT_EQ(r->type, JANUS_PLUGIN_OK);
        EXPECT_EQ(jsonInt(r->content, "error_code").value_or(0), 305);  // honest: not implemented yet
        EXPECT_EQ(envelopeOf(r->content, GetParam().envelope), "error");
    }
    janus_plugin_result_destroy(r);

    // Errors the core throws are answered at once, in the plugin's envelope.
    r = p()->handle_message(&h.session, g_strdup("tx2"), json_pack("{si}", "request", 5), nullptr);
    EXPECT_EQ(jsonInt(r->content, "error_code").value_or(0), 303);
    EXPECT_EQ(envelopeOf(r->content, GetParam().envelope), "error");
    janus_plugin_result_destroy(r);
    r = p()->handle_message(&h.session, nullptr, json_array(), nullptr);
    EXPECT_EQ(jsonInt(r->content, "error_code").value_or(0), 301);
    EXPECT_EQ(envelopeOf(r->content, GetParam().envelope), "error");
    janus_plugin_result_destroy(r);

    json_t* q = p()->query_session(&h.session);
    ASSERT_NE(q, nullptr);
    json_decref(q);

    JsonPtr req = jsonParse(R"({"request":"info"})");
    JsonPtr info(p()->handle_admin_message(req.get()));
    EXPECT_EQ(jsonString(info.get(), "plugin").value_or(""), GetParam().package);
    EXPECT_EQ(jsonString(info.get(), "version").value_or(""), "0.1.0");
    EXPECT_TRUE(json_is_object(json_object_get(info.get(), "config")));
    EXPECT_EQ(jsonInt(info.get(), "sessions").value_or(-1), 1);
    EXPECT_EQ(envelopeOf(info.get(), GetParam().envelope), "success");
    EXPECT_EQ(req->refcount, 1u);  // borrowed: untouched

    JsonPtr bad(p()->handle_admin_message(jsonParse(R"({"request":"nope"})").get()));
    EXPECT_EQ(jsonInt(bad.get(), "error_code").value_or(0), 304);
    EXPECT_EQ(envelopeOf(bad.get(), GetParam().envelope), "error");
    JsonPtr notObject(p()->handle_admin_message(jsonParse("[]").get()));
    EXPECT_EQ(jsonInt(notObject.get(), "error_code").value_or(0), 301);
    EXPECT_EQ(envelopeOf(notObject.get(), GetParam().envelope), "error");

    p()->setup_media(&h.session);
    p()->hangup_media(&h.session);
    p()->destroy_session(&h.session, &err);
    EXPECT_EQ(err, 0);
    EXPECT_EQ(h.refs(), 1);  // balanced
    p()->destroy();
}

TEST_P(MediaPluginTable, InvalidConfigFailsInitNamingTheKey) {
    std::string cfg = "general: { no_such_key = true }\n";
    if (std::string(GetParam().package) == "janus.plugin.hipaa.room") {
        cfg = roomConfig(dir);
        cfg.replace(0, 11, "general: { no_such_key = true\n");
    }
    dir.write(std::string(GetParam().package) + ".jcfg", cfg, 0644);
    EXPECT_EQ(p()->init(FakeGateway::instance().callbacks(), dir.path().c_str()), -1);
    EXPECT_NE(janusLogText().find("general.no_such_key: unknown setting"), std::string::npos) << janusLogText();
    // After a failed init the table must be inert, not crash.
    FakeHandle h;
    int err = 0;
    p()->create_session(&h.session, &err);
    EXPECT_EQ(err, -1);
}

TEST_P(MediaPluginTable, MissingConfigFileFailsInit) {
    TempDir empty;
    EXPECT_EQ(p()->init(FakeGateway::instance().callbacks(), empty.path().c_str()), -1);
    EXPECT_NE(janusLogText().find("cannot read"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Plugins, MediaPluginTable, ::testing::ValuesIn(kPlugins),
                         [](const auto& p) { return std::string(p.param.package).substr(19); });

TEST(RoomPluginTable, RefusesPseudonymKeyReadableByOthers) {
    TempDir dir;
    clearJanusLog();
    std::string key = dir.write("pseudonym.key", std::string(64, 'a'), 0644);
    // Every key is read before any key file is opened: the config is complete but for the key's mode.
    dir.write("janus.plugin.hipaa.room.jcfg",
              "general: { pseudonym_key_file = \"" + key +
                  "\" }\ntokens: { issuers = \"iss\" audience = \"aud\" }\nkeys: { pem_files = \"k=" +
                  dir.file("k.pem") + "\" }\n",
              0644);
    EXPECT_EQ(hipaa_room_plugin()->init(FakeGateway::instance().callbacks(), dir.path().c_str()), -1);
    EXPECT_NE(janusLogText().find("must be 0600"), std::string::npos) << janusLogText();
    EXPECT_NE(janusLogText().find("general.pseudonym_key_file: secret file " + key), std::string::npos)
        << janusLogText();
}

// A key file error names the config key that points at the file.
TEST(RecorderPluginTable, KeyFileErrorsNameTheConfigKey) {
    TempDir dir;
    clearJanusLog();
    std::string rec = dir.file("rec");
    ASSERT_EQ(::mkdir(rec.c_str(), 0700), 0);
    std::string ring = dir.write("keyring", "1 kek " + std::string(64, 'a') + "\n", 0640);
    std::string sign = dir.write("signing.key", std::string(64, 'b') + "\n");
    dir.write("janus.plugin.hipaa.recorder.jcfg",
              "general: { recordings_dir = \"" + rec + "\" keyring = \"" + ring + "\" signing_key = \"" + sign + "\" }",
              0644);
    EXPECT_EQ(hipaa_recorder_plugin()->init(FakeGateway::instance().callbacks(), dir.path().c_str()), -1);
    EXPECT_NE(janusLogText().find("general.keyring: secret file " + ring), std::string::npos) << janusLogText();
}

TEST(RecorderPluginTable, RefusesRecordingsFolderOthersCanRead) {
    TempDir dir;
    clearJanusLog();
    std::string rec = dir.file("rec");
    ASSERT_EQ(::mkdir(rec.c_str(), 0755), 0);
    ::chmod(rec.c_str(), 0755);
    dir.write("janus.plugin.hipaa.recorder.jcfg", "general: { recordings_dir = \"" + rec + "\" }", 0644);
    EXPECT_EQ(hipaa_recorder_plugin()->init(FakeGateway::instance().callbacks(), dir.path().c_str()), -1);
    EXPECT_NE(janusLogText().find("general.recordings_dir"), std::string::npos) << janusLogText();
}

TEST(RoomPluginTable, RefusesToStartWhenWebrtcEncryptionIsOff) {
    TempDir dir;
    clearJanusLog();
    dir.write("janus.plugin.hipaa.room.jcfg", roomConfig(dir), 0644);
    fakeWebrtcEncryption = false;
    int rc = hipaa_room_plugin()->init(FakeGateway::instance().callbacks(), dir.path().c_str());
    fakeWebrtcEncryption = true;
    EXPECT_EQ(rc, -1);
    EXPECT_NE(janusLogText().find("WebRTC encryption disabled"), std::string::npos) << janusLogText();
    // The same config starts with encryption on.
    ASSERT_EQ(hipaa_room_plugin()->init(FakeGateway::instance().callbacks(), dir.path().c_str()), 0) << janusLogText();
    hipaa_room_plugin()->destroy();
}
