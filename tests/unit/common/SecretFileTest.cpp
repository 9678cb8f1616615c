#include "TempDir.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

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

TEST(SecretFile, KeyFilesAcceptRawHexAndBase64) {
    test::TempDir d;
    std::string raw(32, 'k');
    EXPECT_EQ(readSecretKeyFile(d.write("raw", raw), 32).size(), 32u);
    EXPECT_EQ(readSecretKeyFile(d.write("hex", std::string(64, 'a') + "\n"), 32), Bytes(32, 0xaa));
    EXPECT_EQ(readSecretKeyFile(d.write("b64", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 32), Bytes(32, 0));
    EXPECT_THROW(readSecretKeyFile(d.write("short", "abcd"), 32), ConfigError);
}
