// SPDX-License-Identifier: GPL-3.0-or-later
#include "TempDir.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace hipaa;

namespace {

// The ConfigError message of reading `path`, or "" when it was read.
std::string refusal(const std::string& path) {
    try {
        readSecretFile(path);
        return {};
    } catch (const ConfigError& e) {
        return e.what();
    }
}

constexpr uid_t kNobody = 65534;

}  // namespace

TEST(SecretFile, ReadsOwnerOnlyFiles) {
    test::TempDir d;
    EXPECT_EQ(asChars(readSecretFile(d.write("a", "s3cret", 0600))), "s3cret");
    EXPECT_EQ(asChars(readSecretFile(d.write("b", "s3cret", 0400))), "s3cret");
}

TEST(SecretFile, RefusesFilesOthersCanRead) {
    test::TempDir d;
    for (unsigned mode : {0644u, 0640u, 0604u, 0660u, 0606u}) {
        std::string p = d.write("k", "s3cret", mode);
        try {
            readSecretFile(p);
            ADD_FAILURE() << std::oct << mode;
        } catch (const ConfigError& e) {
            std::string m = e.what();
            EXPECT_NE(m.find(p), std::string::npos);
            EXPECT_NE(m.find("0600"), std::string::npos);
            EXPECT_EQ(m.find("s3cret"), std::string::npos);  // never the content
        }
    }
    EXPECT_THROW(readSecretFile(d.file("missing")), ConfigError);
    EXPECT_THROW(readSecretFile(d.path()), ConfigError);  // a directory
}

TEST(SecretFile, RefusesSymlinks) {
    test::TempDir d;
    std::string target = d.write("real", "s3cret");
    ASSERT_EQ(::symlink(target.c_str(), d.file("link").c_str()), 0);
    EXPECT_NE(refusal(d.file("link")), "");
}

// Someone else's file, even at 0600: its owner could replace the key.
TEST(SecretFile, RefusesFilesOwnedByAnotherUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
    test::TempDir d;
    std::string p = d.write("k", "s3cret", 0600);
    ASSERT_EQ(::chown(p.c_str(), kNobody, kNobody), 0);
    std::string m = refusal(p);
    EXPECT_NE(m.find(p + " is owned by uid 65534"), std::string::npos) << m;
    EXPECT_EQ(m.find("s3cret"), std::string::npos);
}

// A folder others can write to lets them swap the file for their own (rename/unlink need only the
// folder's write bit): the folder and every folder above it must be writable only by the owner.
TEST(SecretFile, RefusesFoldersOthersCanWrite) {
    test::TempDir d;
    std::string p = d.write("a/b/k", "s3cret", 0600);
    std::string a = d.file("a"), b = d.file("a/b");
    ASSERT_EQ(::chmod(b.c_str(), 0777), 0);
    std::string m = refusal(p);
    EXPECT_NE(m.find("folder " + b + " is writable by group or others"), std::string::npos) << m;
    EXPECT_NE(m.find(p), std::string::npos) << m;
    ASSERT_EQ(::chmod(b.c_str(), 0770), 0);  // group-writable is refused too
    EXPECT_NE(refusal(p).find("folder " + b), std::string::npos);
    ASSERT_EQ(::chmod(b.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(a.c_str(), 0757), 0);  // a folder higher up
    EXPECT_NE(refusal(p).find("folder " + a + " is writable by group or others"), std::string::npos);
    ASSERT_EQ(::chmod(a.c_str(), 01777), 0);  // sticky, like /tmp: others cannot rename what is ours
    EXPECT_EQ(refusal(p), "");
}

TEST(SecretFile, RefusesFoldersOwnedByAnotherUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
    test::TempDir d;
    std::string p = d.write("a/k", "s3cret", 0600);
    ASSERT_EQ(::chown(d.file("a").c_str(), kNobody, kNobody), 0);
    std::string m = refusal(p);
    EXPECT_NE(m.find("folder " + d.file("a") + " is owned by uid 65534"), std::string::npos) << m;
}

// The folder checked is the one the file is really in, not the one a symlinked folder name suggests.
TEST(SecretFile, ChecksTheFolderBehindASymlinkedFolder) {
    test::TempDir d;
    std::string p = d.write("open/k", "s3cret", 0600);
    ASSERT_EQ(::chmod(d.file("open").c_str(), 0777), 0);
    ASSERT_EQ(::symlink(d.file("open").c_str(), d.file("alias").c_str()), 0);
    EXPECT_NE(refusal(d.file("alias/k")).find("folder " + d.file("open") + " is writable"), std::string::npos);
}

TEST(SecretFile, ErrorsNameTheConfigKey) {
    test::TempDir d;
    std::string p = d.write("k", "s3cret", 0644);
    try {
        loadSecret("general.some_key_file", [&] { return readSecretFile(p); });
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("general.some_key_file: ", 0), 0u) << e.what();
    }
    EXPECT_EQ(asChars(loadSecret("general.some_key_file", [&] { return readSecretFile(d.write("ok", "s3cret")); })),
              "s3cret");
}

TEST(SecretFile, KeyFilesAcceptRawHexAndBase64) {
    test::TempDir d;
    std::string raw(32, 'k');
    EXPECT_EQ(readSecretKeyFile(d.write("raw", raw), 32).size(), 32u);
    EXPECT_EQ(readSecretKeyFile(d.write("hex", std::string(64, 'a') + "\n"), 32), Bytes(32, 0xaa));
    EXPECT_EQ(readSecretKeyFile(d.write("b64", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 32), Bytes(32, 0));
    EXPECT_THROW(readSecretKeyFile(d.write("short", "abcd"), 32), ConfigError);
}
