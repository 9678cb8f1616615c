// SPDX-License-Identifier: GPL-3.0-or-later
// check-config on the sample configs in conf/ and on broken copies: each copy names its file and the
// key that is wrong, as the plugin itself would at Janus start.
#include "Cli.hpp"
#include "ConfigCheck.hpp"
#include "ExitCode.hpp"
#include "TempDir.hpp"

#include "hipaa/Json.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>

using namespace hipaa;
using namespace hipaa::cli;
using hipaa::test::readFile;
using hipaa::test::TempDir;

namespace {

const std::string kConf = std::string(HIPAA_SOURCE_DIR) + "/conf/";
const std::string kRoom = "janus.plugin.hipaa.room.jcfg";
const std::string kRecorder = "janus.plugin.hipaa.recorder.jcfg";
const std::string kAudit = "janus.eventhandler.hipaa.audit.jcfg";
const std::string kFhir = "janus.eventhandler.hipaa.fhir.jcfg";
const std::string kPolicy = "janus.eventhandler.hipaa.audit.policy.jcfg";

std::string sample(const std::string& name) { return readFile(kConf + name + (name == kPolicy ? "" : ".sample")); }

// `text` with the first `from` replaced by `to` (which must be there: a sample change must not turn
// a case into a test of nothing).
std::string edit(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("not in the sample: " + from);
    return text.replace(at, from.size(), to);
}

struct Broken {
    std::string file, from, to, key;  // key: what the message must name
};

int runCli(std::vector<std::string> args, std::string& out, std::string& err) {
    std::ostringstream o, e;
    std::istringstream in;
    int status = Cli(o, e, in, {}).run(args);
    out = o.str();
    err = e.str();
    return status;
}

}  // namespace

TEST(ConfigCheck, EverySampleConfigPasses) {
    auto results = ConfigCheck::directory(kConf, false, true);
    ASSERT_EQ(results.size(), 5u);  // four .jcfg.sample and the scrub policy
    for (const auto& r : results) EXPECT_TRUE(r.ok) << r.file << ": " << r.message;
    EXPECT_EQ(ConfigCheck::directory(kConf, false, false).size(), 1u);  // only the policy has no .sample
    EXPECT_EQ(ConfigCheck::pluginOf("/etc/janus/" + kRoom), "janus.plugin.hipaa.room");
    EXPECT_EQ(ConfigCheck::pluginOf(kFhir + ".sample"), "janus.eventhandler.hipaa.fhir");
    EXPECT_EQ(ConfigCheck::pluginOf("janus.plugin.videoroom.jcfg"), "");
}

TEST(ConfigCheck, EachBrokenCopyNamesItsFileAndKey) {
    const std::vector<Broken> cases{
        {kRoom, "development = false", "developmnet = false", "general.developmnet: unknown setting"},
        {kRoom, "skew = 30", "skew = 90", "tokens.skew: must be between 0 and 60"},
        {kRoom, "audience = \"janus-hipaa\"", "audience = \"\"", "tokens.audience: required"},
        {kRoom, "class-vp9: {\n\tvideocodec = \"vp9\"", "class-vp9: {\n\tvideocodec = \"av1\"",
         "class-vp9.videocodec: unknown codec av1"},
        {kRoom, "dob_key_file = \"/etc/janus/hipaa/dob.key\"", "dob_key_file = \"\"",
         "class-checkin: dob_check needs keys.dob_key_file"},
        {kRoom, "class-vp9: {", "room-consult: {\n\tclass = \"nope\"\n}\nclass-vp9: {",
         "room-consult.class: no such room class"},
        {kRoom, "idle_timeout = 600", "idle_timeout = \"ten\"", "class-default.idle_timeout: must be an integer"},
        {kRoom, "#cluster: {", "cluster: {\n\tdead_after = 1\n}\n#cluster: {",
         "cluster.dead_after: must be between 3 and 3600"},
        {kRecorder, "chunk_ms = 1000", "chunk_ms = 5", "general.chunk_ms: must be between 10 and 60000"},
        {kRecorder, "default_policy = \"standard\"", "default_policy = \"forever\"", "general.default_policy"},
        {kRecorder, "rtp_port_min = 20000", "rtp_port_min = 30000", "general.rtp_port_min/rtp_port_max"},
        {kRecorder, "export_dir = \"/var/lib/janus-hipaa/exports\"",
         "export_dir = \"/var/lib/janus-hipaa/recordings/x\"", "general.export_dir: must not be"},
        {kRecorder, "qa = \"30d\"", "qa = \"30 days\"", "policies.qa"},
        {kRecorder, "sweep_seconds = 60", "sweep_seconds = 60\n\tsweep_jitter = 5", "general.sweep_jitter"},
        {kAudit, "queue_capacity = 65536", "queue_capacity = 5", "general.queue_capacity: must be between"},
        {kAudit, "batch_size = 1000", "batch_size = 1000\n\tinstance_id = \"a b\"", "general.instance_id"},
        {kAudit, "max_mb = 1024", "max_gb = 1", "spool.max_gb: unknown setting"},
        {kFhir, "base_url = \"https://ehr.example.org/fhir/R4\"", "base_url = \"http://ehr.example.org/fhir/R4\"",
         "general.base_url: must start with https://"},
        {kFhir, "auth = \"bearer\"", "auth = \"basic\"", "general.auth"},
        {kFhir, "backoff_max_ms = 300000", "backoff_max_ms = 100", "outbox.backoff_max_ms"},
        {kFhir, "lease_seconds = 120", "lease_seconds = 20", "outbox.lease_seconds: must exceed"},
        {kFhir, "bearer_token_file = \"/etc/janus/hipaa/fhir-token\"", "bearer_token = \"x\"",
         "general.bearer_token_file: required"},
        {kFhir, "chat_as = \"communication\"", "chat_as = \"messages\"", "general.chat_as: must be"},
        {kFhir, "max_bundle_mib = 64", "max_bundle_mib = 0", "outbox.max_bundle_mib"},
        {kPolicy, "type = 2\n", "type = \"handle\"\n", "handle.type: required integer"},
        {kPolicy, "pseudonymize = [\"opaque_id\"]", "pseudonymise = [\"opaque_id\"]", "envelope.pseudonymise"},
    };
    for (const auto& c : cases) {
        TempDir dir;
        std::string path = dir.write(c.file, edit(sample(c.file), c.from, c.to), 0644);
        ConfigCheck::Result r = ConfigCheck::file(path, false);
        EXPECT_FALSE(r.ok) << c.file << ": " << c.to;
        EXPECT_EQ(r.message.rfind(path + ": ", 0), 0u) << r.message;  // the file first
        EXPECT_NE(r.message.find(c.key), std::string::npos) << "expected " << c.key << " in: " << r.message;
    }
}

TEST(ConfigCheck, FhirChatAsTranscriptIsAccepted) {
    TempDir dir;
    std::string text = edit(sample(kFhir), "chat_as = \"communication\"", "chat_as = \"transcript\"");
    ConfigCheck::Result r = ConfigCheck::file(dir.write(kFhir, text, 0644), false);
    EXPECT_TRUE(r.ok) << r.message;
}

TEST(ConfigCheck, SyntaxErrorsNameTheLine) {
    TempDir dir;
    std::string path = dir.write(kRecorder, "general: {\n  chunk_ms = 1000\n\n", 0644);
    ConfigCheck::Result r = ConfigCheck::file(path, false);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message.rfind(path + ":", 0), 0u) << r.message;
    EXPECT_FALSE(ConfigCheck::file(dir.write("janus.plugin.videoroom.jcfg", "", 0644), false).ok);
}

TEST(ConfigCheck, DisabledHandlersAreNotCheckedFurtherAsTheyAreNotLoaded) {
    TempDir dir;
    std::string text = edit(sample(kAudit), "enabled = true", "enabled = false");
    ConfigCheck::Result r = ConfigCheck::file(dir.write(kAudit, edit(text, "max_mb", "max_gb"), 0644), false);
    EXPECT_TRUE(r.ok);
    EXPECT_NE(r.message.find("general.enabled = false"), std::string::npos) << r.message;
}

TEST(ConfigCheck, WithFilesTheKeyFilesAreOpenedByTheSecretFileRules) {
    TempDir dir;
    std::string keys = dir.path() + "/keys";
    ASSERT_EQ(::mkdir(keys.c_str(), 0700), 0);
    const std::string hex32(64, 'a');
    auto key = [&](const std::string& name, const std::string& content, unsigned mode = 0600) {
        return dir.write("keys/" + name, content, mode);
    };
    key("pseudonym.key", hex32);
    key("audit-spool.key", hex32);
    key("audit-signing.key", hex32);
    std::string policy = dir.write(kPolicy, sample(kPolicy), 0644);
    std::string audit = sample(kAudit);
    auto path = [&](const std::string& name, const std::string& from, const std::string& to) {
        audit = edit(audit, name + " = \"" + from + "\"", name + " = \"" + to + "\"");
    };
    path("pseudonym_key_file", "/etc/janus/hipaa/pseudonym.key", keys + "/pseudonym.key");
    path("signing_key_file", "/etc/janus/hipaa/audit-signing.key", keys + "/audit-signing.key");
    path("key_file", "/etc/janus/hipaa/audit-spool.key", keys + "/audit-spool.key");
    path("policy_file", "/etc/janus/janus.eventhandler.hipaa.audit.policy.jcfg", policy);
    std::string file = dir.write(kAudit, audit, 0644);
    ConfigCheck::Result r = ConfigCheck::file(file, true);
    EXPECT_TRUE(r.ok) << r.message;
    TempDir plain;
    std::string asShipped = plain.write(kAudit, sample(kAudit), 0644);
    EXPECT_TRUE(ConfigCheck::file(asShipped, false).ok);
    // The sample's key paths do not exist here: only --files finds that out.
    EXPECT_FALSE(ConfigCheck::file(asShipped, true).ok);

    ::chmod(dir.file("keys/audit-signing.key").c_str(), 0644);
    r = ConfigCheck::file(file, true);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("chain.signing_key_file"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("mode 0644"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find(hex32), std::string::npos);
}

TEST(ConfigCheckCommand, PrintsEachFileAndExits4WhenOneIsInvalid) {
    TempDir dir;
    for (const std::string& f : {kRoom, kRecorder, kAudit, kFhir}) dir.write(f, sample(f), 0644);
    dir.write("janus.plugin.videoroom.jcfg", "general: { }\n", 0644);  // not ours: not checked
    std::string out, err;
    EXPECT_EQ(runCli({"check-config", dir.path()}, out, err), exitcode::kOk) << out << err;
    EXPECT_NE(out.find("ok       " + dir.file(kRoom)), std::string::npos) << out;
    EXPECT_NE(out.find("4 checked"), std::string::npos) << out;
    EXPECT_NE(out.find(", 0 invalid"), std::string::npos) << out;

    dir.write(kRecorder, edit(sample(kRecorder), "chunk_ms = 1000", "chunk_msec = 1000"), 0644);
    EXPECT_EQ(runCli({"check-config", dir.path()}, out, err), exitcode::kConfigInvalid);
    EXPECT_NE(out.find("INVALID  " + dir.file(kRecorder) + ": general.chunk_msec: unknown setting"), std::string::npos)
        << out;
    EXPECT_NE(out.find(", 1 invalid"), std::string::npos) << out;

    EXPECT_EQ(runCli({"check-config", "--json", dir.path()}, out, err), exitcode::kConfigInvalid);
    JsonPtr all = jsonParse(out);
    ASSERT_EQ(json_array_size(all.get()), 4u);
    const json_t* recorder = json_array_get(all.get(), 2);  // in name order: audit, fhir, recorder, room
    EXPECT_EQ(jsonString(recorder, "plugin").value_or(""), "janus.plugin.hipaa.recorder");
    EXPECT_FALSE(jsonBool(recorder, "ok").value_or(true));
    EXPECT_NE(std::string(jsonString(recorder, "error").value_or("")).find("general.chunk_msec"), std::string::npos);

    EXPECT_EQ(runCli({"check-config", dir.file(kRoom)}, out, err), exitcode::kOk);  // one file
    TempDir empty;
    EXPECT_EQ(runCli({"check-config", empty.path()}, out, err), exitcode::kConfigInvalid);
    EXPECT_NE(err.find("no janus-hipaa config"), std::string::npos) << err;
    EXPECT_EQ(runCli({"check-config", empty.file("nope")}, out, err), exitcode::kConfigInvalid);
    EXPECT_EQ(runCli({"check-config"}, out, err), exitcode::kUsage);
    EXPECT_EQ(runCli({"check-config", "--samples", kConf}, out, err), exitcode::kOk) << out;
}
