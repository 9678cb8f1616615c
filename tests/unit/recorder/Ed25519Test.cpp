#include "hipaa/Ed25519.hpp"
#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

TEST(Ed25519Signer, MatchesRfc8032TestVector1) {
    // RFC 8032 section 7.1, TEST 1 (empty message).
    auto seed = hexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    Ed25519Signer signer(*seed);
    EXPECT_EQ(hexEncode(signer.publicKey()), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    Ed25519Signature sig = signer.sign({});
    EXPECT_EQ(hexEncode(sig),
              "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    EXPECT_TRUE(signer.verifier().verify({}, sig));
}

TEST(Ed25519Verifier, RejectsAlteredMessageSignatureAndKey) {
    Ed25519Signer signer = Ed25519Signer::generate();
    Ed25519Signature sig = signer.sign(asBytes("receipt"));
    EXPECT_TRUE(signer.verifier().verify(asBytes("receipt"), sig));
    EXPECT_FALSE(signer.verifier().verify(asBytes("receipT"), sig));
    Ed25519Signature bad = sig;
    bad[10] ^= 1;
    EXPECT_FALSE(signer.verifier().verify(asBytes("receipt"), bad));
    EXPECT_FALSE(Ed25519Signer::generate().verifier().verify(asBytes("receipt"), sig));
    EXPECT_FALSE(signer.verifier().verify(asBytes("receipt"), ByteView(sig).first(63)));
}
