// SPDX-License-Identifier: GPL-3.0-or-later
// Real Janus, real PostgreSQL, real janus-pp-rec: a VideoRoom publisher's audio recorded with the
// patient in its context, exported by the provider, then `patient_copy` with the patient's own actor
// token. hipaa-recorder-tool opens the copy with the patient's private key and the recorder's public
// key, the media plays (ffprobe), the manifest verifies and the accounting of disclosures names the
// provider's export. Who else may ask (the access table's row) is checked against the same Janus.
#include "AuditFixture.hpp"
#include "ConfigEdit.hpp"
#include "FreePort.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "Keyring.hpp"
#include "RecordingChecks.hpp"
#include "Shell.hpp"
#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"
#include "TokenFactory.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Pseudonymizer.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;
using hipaa::room::test::TokenFactory;

namespace {

constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";

std::string str(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }
int64_t nowS() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
int code(const JsonPtr& answer) { return static_cast<int>(jsonInt(answer.get(), "error_code").value_or(0)); }

}  // namespace

TEST(RecorderPatientCopy, ThePatientGetsOnePlayableVerifiableCopyWithTheProvidersExportDisclosed) {
    ASSERT_EQ(::access("/usr/bin/ffmpeg", X_OK), 0) << "ffmpeg missing: run scripts/deps.sh";
    ASSERT_EQ(::access("/usr/bin/janus-pp-rec", X_OK), 0) << "janus-pp-rec missing (janus-tools)";
    TestDatabase db;
    TokenFactory factory;
    JanusProcess janus;
    setAuditKey(janus, "conninfo", "\"" + db.loginConninfo("janus_audit_writer") + "\"");
    janus.writeConfig("keys/actors-es.pem", factory.publicPem("es"), 0600);
    int base = freeLoopbackPort();
    if (base > 65000) base = 41000;
    std::string rec = readFile(janus.configFile("janus.plugin.hipaa.recorder.jcfg"));
    rec = setConfigLine(rec, "development", "false");
    rec = setConfigLine(rec, "issuers", std::string("\"") + TokenFactory::kIssuer + "\"");
    rec = setConfigLine(rec, "pem_files", "\"es=" + janus.configFile("keys/actors-es.pem") + "\"");
    rec = setJcfgKey(rec, "rtp_port_min", base);
    rec = setJcfgKey(rec, "rtp_port_max", base + 20);
    janus.writeConfig("janus.plugin.hipaa.recorder.jcfg", rec, 0600);
    Pseudonymizer pseudonyms = Pseudonymizer::fromKeyFile(janus.configFile("keys/pseudonym.key"));
    auto person = [&](const std::string& sub) { return pseudonyms.participant(TokenFactory::kIssuer, sub); };
    auto token = [&](const std::string& role, const std::string& sub) {
        JsonPtr c = factory.claims("unused", role, nowS(), sub, 120);
        json_object_del(c.get(), "room");
        jsonSet(c.get(), "aud", "janus-hipaa-admin");
        jsonSet(c.get(), "amr", jsonParse(R"(["pwd","otp"])"));
        return factory.sign(c.get());
    };
    janus.start();
    JanusClient client(janus);
    auto send = [&](const std::string& body, const std::string& actorToken) {
        JsonPtr r = jsonParse(body);
        if (!actorToken.empty()) jsonSet(r.get(), "actor_token", actorToken);
        return client.messagePlugin(kRecorder, r.get());
    };

    // The operator starts the recording (admin secret) with who takes part: dr-1 and pat-1.
    JsonPtr start = jsonParse(R"({"request":"start","visit":"v_copy","room":"copy",
        "streams":[{"kind":"audio","codec":"opus","mid":"0"}]})");
    jsonSet(start.get(), "providers", jsonParse("[\"" + person("dr-1") + "\"]"));
    jsonSet(start.get(), "patients", jsonParse("[\"" + person("pat-1") + "\"]"));
    JsonPtr started = client.messagePlugin(kRecorder, start.get());
    std::string id = str(started.get(), "recording");
    ASSERT_EQ(id.size(), 32u) << jsonDump(started.get());

    // A VideoRoom remote publisher's Opus (from ffmpeg) forwarded with SRTP to the recorder.
    uint64_t session = client.createSession();
    uint64_t handle = client.attach(session, "janus.plugin.videoroom");
    client.messageData(session, handle,
                       J(R"({"request":"create","room":4343,"secret":"s3","publishers":2,"audiocodec":"opus"})").get());
    JsonPtr remote = client.messageData(session, handle,
                                        J(R"({"request":"add_remote_publisher","room":4343,
        "secret":"s3","display":"copy-source","streams":[{"type":"audio","mindex":0,"mid":"0","codec":"opus"}]})")
                                            .get());
    ASSERT_EQ(str(remote.get(), "videoroom"), "success") << jsonDump(remote.get());
    JsonPtr fwd = J(R"({"request":"rtp_forward","room":4343,"secret":"s3"})");
    jsonSet(fwd.get(), "publisher_id", *jsonInt(remote.get(), "id"));
    jsonSet(fwd.get(), "host", str(started.get(), "host"));
    jsonSet(fwd.get(), "srtp_suite", *jsonInt(started.get(), "srtp_suite"));
    jsonSet(fwd.get(), "srtp_crypto", str(started.get(), "srtp_crypto"));
    jsonSet(fwd.get(), "streams",
            jsonParse(R"([{"mid":"0","port":)" +
                      std::to_string(*jsonInt(json_array_get(json_object_get(started.get(), "streams"), 0), "port")) +
                      "}]"));
    JsonPtr forwarded = client.messageData(session, handle, fwd.get());
    ASSERT_EQ(str(forwarded.get(), "videoroom"), "rtp_forward") << jsonDump(forwarded.get());
    std::string dest = "rtp://127.0.0.1:" + std::to_string(*jsonInt(remote.get(), "port")) +
                       "?rtcpport=" + std::to_string(*jsonInt(remote.get(), "rtcp_port")) + "&pkt_size=1200";
    Shell::Result ff = Shell::run(
        "ffmpeg -hide_banner -loglevel error -re -f lavfi -i sine=frequency=440:sample_rate=48000:duration=3"
        " -c:a libopus -b:a 48k -ac 2 -f rtp -ssrc 1000 -payload_type 111 '" +
        dest + "' 2>&1");
    ASSERT_EQ(ff.status, 0) << ff.out;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    JsonPtr stopped = send(R"({"request":"stop","recording":")" + id + "\"}", "");
    ASSERT_EQ(str(stopped.get(), "status"), "sealed") << jsonDump(stopped.get());

    // The provider exports it (an access the patient's accounting must list).
    JsonPtr exported = send(R"({"request":"export","recording":")" + id + "\"}", token("provider", "dr-1"));
    ASSERT_EQ(code(exported), 0) << jsonDump(exported.get());
    // ... once its record is in the audit database.
    PgConn sql = db.connect();
    bool written = false;
    for (int i = 0; i < 300 && !written; ++i) {
        written = scalar(sql, "SELECT count(*) FROM audit_record WHERE action = 'recording.export'") != "0";
        if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(written);

    // The patient's key pair, made by the tool as a patient would.
    std::string tool = std::string(HIPAA_BUILD_DIR) + "/plugins/recorder/hipaa-recorder-tool";
    std::string keyFile = janus.configFile("patient.key");
    Shell::Result kg = Shell::run(tool + " copy-keygen '" + keyFile + "'");
    ASSERT_EQ(kg.status, 0) << kg.out;
    std::string patientPublic = kg.out.substr(0, kg.out.find('\n'));
    std::string copyBody = R"({"request":"patient_copy","recipient":{"x25519":")" + patientPublic + "\"}}";

    // Who may ask: not the provider; not the patient for someone else; the patient and a records officer.
    EXPECT_EQ(code(send(copyBody, token("provider", "dr-1"))), errc::kActorForbidden);
    JsonPtr other = jsonParse(copyBody);
    jsonSet(other.get(), "patient", person("pat-2"));
    EXPECT_EQ(code(send(jsonDump(other.get()), token("patient", "pat-1"))), errc::kActorForbidden);
    EXPECT_EQ(code(send(copyBody, token("records_officer", "ro-1"))), errc::kMissingField);  // on whose behalf?
    JsonPtr behalf = jsonParse(copyBody);
    jsonSet(behalf.get(), "patient", person("pat-1"));
    EXPECT_EQ(code(send(jsonDump(behalf.get()), token("records_officer", "ro-1"))), 0);

    auto t0 = std::chrono::steady_clock::now();
    JsonPtr copy = send(copyBody, token("patient", "pat-1"));
    double copySeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(code(copy), 0) << jsonDump(copy.get());
    EXPECT_EQ(jsonInt(copy.get(), "recordings"), 1);
    EXPECT_EQ(jsonBool(copy.get(), "disclosures_available"), true);
    EXPECT_GE(jsonInt(copy.get(), "disclosures").value_or(0), 1);
    std::string file = janus.configDir() + "/exports/" + str(copy.get(), "file");
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(static_cast<int64_t>(st.st_size), jsonInt(copy.get(), "bytes"));

    // Opened with only the patient's private key and the recorder's public key.
    JsonPtr info = client.messagePlugin(kRecorder, J(R"({"request":"info"})").get());
    std::string out = janus.configFile("opened");
    std::filesystem::create_directory(out);
    Shell::Result opened = Shell::run(tool + " open-copy '" + file + "' '" + out + "' " +
                                      str(info.get(), "signing_public_key") + " --key '" + keyFile + "' 2>&1");
    ASSERT_EQ(opened.status, 0) << opened.out;
    EXPECT_NE(opened.out.find("verified"), std::string::npos) << opened.out;
    std::string codec;
    double seconds = probeDuration(out + "/recording-" + id + "-0-audio.opus", codec);
    EXPECT_EQ(codec, "opus");
    EXPECT_GT(seconds, 0.0);
    std::string disclosures = readFile(out + "/disclosures.json");
    JsonPtr d = jsonParse(disclosures);
    bool providerExport = false;
    size_t i;
    json_t* r;
    json_array_foreach(json_object_get(d.get(), "records"), i, r) {
        if (str(r, "action") == "recording.export" && str(r, "actor") == person("dr-1") &&
            str(r, "role") == "provider" && str(r, "recording") == id)
            providerExport = true;
    }
    EXPECT_TRUE(providerExport) << disclosures;
    EXPECT_NE(readFile(out + "/notes.json").find("\"available\": false"), std::string::npos);  // no FHIR handler
    // A wrong recorder key: refused, nothing left.
    std::string out2 = janus.configFile("opened2");
    std::filesystem::create_directory(out2);
    Shell::Result wrong = Shell::run(tool + " open-copy '" + file + "' '" + out2 + "' " + std::string(64, 'a') +
                                     " --key '" + keyFile + "' 2>&1");
    EXPECT_NE(wrong.status, 0) << wrong.out;
    EXPECT_TRUE(std::filesystem::is_empty(out2));
    std::printf("patient copy: %lld bytes, %.2f s audio, built in %.2f s\n",
                static_cast<long long>(jsonInt(copy.get(), "bytes").value_or(0)), seconds, copySeconds);
}
