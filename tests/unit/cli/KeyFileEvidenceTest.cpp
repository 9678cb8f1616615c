// SPDX-License-Identifier: GPL-3.0-or-later
// Key files as the evidence report sees them: every key setting of the plugins' configs, the keyring
// folder's files, mode, owner, age against the rotation limit (times set explicitly, no clock).
#include "AdminError.hpp"
#include "TempDir.hpp"
#include "evidence/KeyFileEvidence.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace hipaa;
using namespace hipaa::cli;
using hipaa::test::TempDir;

namespace {

class NoAdmin final : public AdminApi {
public:
    JsonPtr plugin(std::string_view, const json_t*) override { throw AdminError(AdminError::Kind::Janus, 460, "none"); }
    JsonPtr handler(std::string_view, const json_t*) override {
        throw AdminError(AdminError::Kind::Janus, 460, "none");
    }
};

void age(const std::string& path, int64_t mtime) {
    struct timespec t[2] = {{mtime, 0}, {mtime, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), t, AT_SYMLINK_NOFOLLOW), 0);
}

}  // namespace

TEST(KeyFileEvidence, ModesOwnersAgesAndRotationDue) {
    TempDir dir;
    const int64_t now = 1'800'000'000;
    std::string fresh = dir.write("pseudonym.key", "k", 0600);
    std::string open = dir.write("dob.key", "k", 0644);
    std::string old = dir.write("audit-signing.key", "k", 0400);
    ASSERT_EQ(::mkdir(dir.file("keyring").c_str(), 0700), 0);
    std::string v1 = dir.write("keyring/1.key", "k", 0600);
    for (const auto& p : {fresh, open, v1}) age(p, now - 10 * 86400);
    age(old, now - 400 * 86400);
    NoAdmin api;
    EvidenceSources src{api, [](JsonBuilder&) {}};
    src.nowS = now;
    src.keyMaxAgeDays = 365;
    src.info["janus.plugin.hipaa.room"] = jsonParse(R"({"config":{"general":{"pseudonym_key_file":")" + fresh +
                                                    R"("},"keys":{"dob_key_file":")" + open + R"(","jwks_file":""}}})");
    src.info["janus.plugin.hipaa.recorder"] = jsonParse(R"({"config":{"general":{"keyring":")" + dir.file("keyring") +
                                                        R"(","pseudonym_key_file":")" + fresh + R"("}}})");
    src.info["janus.eventhandler.hipaa.audit"] = jsonParse(R"({"config":{"chain":{"signing_key_file":")" + old +
                                                           R"("},"spool":{"dir":")" + dir.path() + R"("}}})");
    src.info["janus.eventhandler.hipaa.fhir"] = jsonParse(R"({"config":{"general":{"bearer_token_file":""}}})");
    JsonPtr s = KeyFileEvidence::collect(src).toJson();
    EXPECT_EQ(jsonString(s.get(), "state").value_or(""), "fail");
    std::string rows = jsonDump(json_object_get(s.get(), "rows"));
    std::string problems = jsonDump(json_object_get(s.get(), "problems"));
    EXPECT_NE(problems.find(open + ": group or others have access"), std::string::npos) << problems;
    EXPECT_NE(problems.find(old + ": rotation due"), std::string::npos) << problems;
    EXPECT_EQ(json_array_size(json_object_get(s.get(), "problems")), 2u) << problems;
    // The shared pseudonym key is one row naming both settings; the keyring's key is listed.
    EXPECT_NE(rows.find("[\"" + fresh +
                        "\",\"recorder general.pseudonym_key_file, room general.pseudonym_key_file\","
                        "\"0600\""),
              std::string::npos)
        << rows;
    EXPECT_NE(rows.find("[\"" + v1 + "\",\"recorder general.keyring\",\"0600\""), std::string::npos) << rows;
    EXPECT_NE(rows.find("\"400\",\"rotation due\"]"), std::string::npos) << rows;
    EXPECT_EQ(rows.find(dir.path() + "\","), std::string::npos);  // spool.dir is no key setting
}

TEST(KeyFileEvidence, WhichSettingsNameKeys) {
    for (const char* k : {"pseudonym_key_file", "signing_key_file", "key_file", "bearer_token_file", "signing_key",
                          "keyring", "dob_key_file", "smart_key_file"})
        EXPECT_TRUE(KeyFileEvidence::isKeySetting(k)) << k;
    for (const char* k : {"dir", "state_dir", "pem_files", "jwks_file", "ca_file", "recordings_dir", "policy_file"})
        EXPECT_FALSE(KeyFileEvidence::isKeySetting(k)) << k;
}
