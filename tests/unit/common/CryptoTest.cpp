// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/ConstantTime.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(hexEncode(sha256(asBytes(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hexEncode(sha256(asBytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha256 inc;
    inc.update(asBytes("a"));
    inc.update(asBytes("bc"));
    EXPECT_EQ(inc.finish(), sha256(asBytes("abc")));
}

TEST(HmacSha256, Rfc4231Case2) {
    auto mac = hmacSha256(asBytes("Jefe"), asBytes("what do ya want for nothing?"));
    EXPECT_EQ(hexEncode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_THROW(hmacSha256({}, asBytes("x")), CryptoError);
}

TEST(SecureRandom, ProducesDistinctValues) {
    EXPECT_EQ(secureRandomBytes(32).size(), 32u);
    EXPECT_NE(secureRandomBytes(16), secureRandomBytes(16));
    EXPECT_NE(secureRandomU64(), secureRandomU64());
}

TEST(ConstantTime, Compares) {
    EXPECT_TRUE(constantTimeEqual(asBytes("abc"), asBytes("abc")));
    EXPECT_FALSE(constantTimeEqual(asBytes("abc"), asBytes("abd")));
    EXPECT_FALSE(constantTimeEqual(asBytes("abc"), asBytes("ab")));
    EXPECT_TRUE(constantTimeEqual({}, {}));
}
