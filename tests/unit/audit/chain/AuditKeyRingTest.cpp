// SPDX-License-Identifier: GPL-3.0-or-later
// The trusted public keys of the instances: a key counts for the instance it is listed for only, a
// malformed line or a file others may write is refused.
#include "AuditKeyRing.hpp"
#include "TempDir.hpp"

#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

using namespace hipaa;
using namespace hipaa::audit;
using hipaa::test::TempDir;

namespace {

Bytes publicKey(uint8_t seed) { return Ed25519Signer(Bytes(32, seed)).publicKey(); }

}  // namespace

TEST(AuditKeyRing, AKeyIsTrustedForTheInstanceItIsListedForOnly) {
    AuditKeyRing ring = AuditKeyRing::parse("# comment\n\n  gw-1 " + hexEncode(publicKey(1)) + "\ngw-2\t" +
                                                base64Encode(publicKey(2)) + "\ngw-1 " + hexEncode(publicKey(3)) + "\n",
                                            "test");
    const std::string id1 = Ed25519Verifier::keyId(publicKey(1)), id2 = Ed25519Verifier::keyId(publicKey(2)),
                      id3 = Ed25519Verifier::keyId(publicKey(3));
    ASSERT_TRUE(ring.find("gw-1", id1));
    EXPECT_EQ(ring.find("gw-1", id1)->keyId(), id1);
    EXPECT_TRUE(ring.find("gw-1", id3)) << "a rotated key beside the current one";
    EXPECT_TRUE(ring.find("gw-2", id2)) << "base64";
    EXPECT_FALSE(ring.find("gw-2", id1)) << "gw-1's key does not sign for gw-2";
    EXPECT_FALSE(ring.find("gw-3", id1));
    EXPECT_TRUE(AuditKeyRing::parse("# only a comment\n", "test").empty());
}

TEST(AuditKeyRing, RefusesMalformedLinesAndFilesOthersMayWrite) {
    const std::string key = hexEncode(publicKey(1));
    for (const std::string& bad : {std::string("gw-1\n"), "gw-1 " + key.substr(2) + "\n", "gw-1 " + key + " extra\n",
                                   std::string(65, 'g') + " " + key + "\n", std::string("gw-1 not-a-key\n")})
        EXPECT_THROW(AuditKeyRing::parse(bad, "test"), ConfigError) << bad;
    TempDir dir;
    std::string file = dir.write("keys", "gw-1 " + key + "\n", 0644);
    EXPECT_TRUE(AuditKeyRing::fromFile(file).find("gw-1", Ed25519Verifier::keyId(publicKey(1))));
    ::chmod(file.c_str(), 0664);
    EXPECT_THROW(AuditKeyRing::fromFile(file), ConfigError);
    EXPECT_THROW(AuditKeyRing::fromFile(dir.file("missing")), ConfigError);
}
