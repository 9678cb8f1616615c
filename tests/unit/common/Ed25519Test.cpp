// SPDX-License-Identifier: GPL-3.0-or-later
// common/ Ed25519 signing and verification (RFC 8032 test vector 1).
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Ed25519Verifier.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

TEST(Ed25519, MatchesRfc8032Vector1) {
    Bytes seed = *hexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    Ed25519Signer s(seed);
    EXPECT_EQ(hexEncode(s.publicKey()), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    auto sig = s.sign({});
    EXPECT_EQ(hexEncode(sig),
              "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0"
              "595bbe24655141438e7a100b");
    Ed25519Verifier v(s.publicKey());
    EXPECT_TRUE(v.verify({}, sig));
}

TEST(Ed25519, RejectsTamperedMessageSignatureAndWrongKey) {
    Ed25519Signer s(Bytes(32, 7));
    Bytes msg = {1, 2, 3};
    auto sig = s.sign(msg);
    Ed25519Verifier v(s.publicKey());
    EXPECT_TRUE(v.verify(msg, sig));
    Bytes other = {1, 2, 4};
    EXPECT_FALSE(v.verify(other, sig));
    auto bad = sig;
    bad[10] ^= 1;
    EXPECT_FALSE(v.verify(msg, bad));
    EXPECT_FALSE(v.verify(msg, ByteView(sig.data(), 63)));
    Ed25519Verifier wrong(Ed25519Signer(Bytes(32, 8)).publicKey());
    EXPECT_FALSE(wrong.verify(msg, sig));
    EXPECT_EQ(v.keyId().size(), 32u);
    EXPECT_THROW(Ed25519Signer(Bytes(31, 0)), CryptoError);
    EXPECT_THROW(Ed25519Verifier(Bytes(33, 0)), CryptoError);
}

TEST(Ed25519, GeneratedKeysAreDistinctAndVerifyThroughTheirVerifier) {
    Ed25519Signer a = Ed25519Signer::generate(), b = Ed25519Signer::generate();
    EXPECT_NE(a.publicKey(), b.publicKey());
    Bytes msg = {'r', 'e', 'c', 'e', 'i', 'p', 't'};
    auto sig = a.sign(msg);
    EXPECT_TRUE(a.verifier().verify(msg, sig));
    EXPECT_FALSE(b.verifier().verify(msg, sig));
}
