// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/AesGcm.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

TEST(AesGcm, RoundTripAndTamperDetection) {
    Bytes key = secureRandomBytes(32), nonce = secureRandomBytes(12);
    AesGcm gcm(key);
    Bytes sealed = gcm.seal(nonce, asBytes("aad"), asBytes("patient note"));
    ASSERT_EQ(sealed.size(), 12u + AesGcm::kTagSize);
    EXPECT_EQ(asChars(*gcm.open(nonce, asBytes("aad"), sealed)), "patient note");
    EXPECT_FALSE(gcm.open(nonce, asBytes("aaD"), sealed));                  // wrong AAD
    EXPECT_FALSE(gcm.open(secureRandomBytes(12), asBytes("aad"), sealed));  // wrong nonce
    for (size_t i = 0; i < sealed.size(); ++i) {                            // every byte flipped
        Bytes t = sealed;
        t[i] ^= 0x01;
        EXPECT_FALSE(gcm.open(nonce, asBytes("aad"), t)) << i;
    }
    EXPECT_FALSE(AesGcm(secureRandomBytes(32)).open(nonce, asBytes("aad"), sealed));  // wrong key
    EXPECT_FALSE(gcm.open(nonce, {}, Bytes(5)));                                      // shorter than a tag
    EXPECT_EQ(gcm.open(nonce, {}, gcm.seal(nonce, {}, {}))->size(), 0u);              // empty plaintext
}

TEST(AesGcm, RejectsBadKeyAndNonceSizes) {
    EXPECT_THROW(AesGcm(Bytes(16)), CryptoError);
    AesGcm gcm(Bytes(32, 7));
    EXPECT_THROW(gcm.seal(Bytes(8), {}, asBytes("x")), CryptoError);
}
