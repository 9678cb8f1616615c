// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

TEST(Encoding, Rfc4648Vectors) {
    const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char* b64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    const char* b64url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (int i = 0; i < 7; ++i) {
        EXPECT_EQ(base64Encode(asBytes(plain[i])), b64[i]);
        EXPECT_EQ(base64urlEncode(asBytes(plain[i])), b64url[i]);
        EXPECT_EQ(asChars(*base64Decode(b64[i])), plain[i]);
        EXPECT_EQ(asChars(*base64urlDecode(b64url[i])), plain[i]);
    }
    EXPECT_EQ(hexEncode(asBytes("\x01\xab")), "01ab");
    EXPECT_EQ(*hexDecode("01AB"), (Bytes{1, 0xab}));
}

TEST(Encoding, StrictDecoding) {
    EXPECT_FALSE(base64urlDecode("Zg=="));   // padding is not base64url (JWS)
    EXPECT_FALSE(base64urlDecode("Zm9v+"));  // wrong alphabet
    EXPECT_FALSE(base64urlDecode("Zh"));     // non-canonical tail bits
    EXPECT_FALSE(base64urlDecode("Z"));      // impossible length
    EXPECT_FALSE(base64urlDecode("Zm 9v"));  // whitespace
    EXPECT_FALSE(base64Decode("Zg="));       // bad padding
    EXPECT_FALSE(base64Decode("Zm9v_"));
    EXPECT_FALSE(hexDecode("abc"));
    EXPECT_FALSE(hexDecode("zz"));
    // Binary round trip over every byte value.
    Bytes all(256);
    for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(*base64urlDecode(base64urlEncode(all)), all);
    EXPECT_EQ(*base64Decode(base64Encode(all)), all);
    EXPECT_EQ(*hexDecode(hexEncode(all)), all);
}

TEST(Encoding, PercentEncodingKeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(percentEncode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(percentEncode("urn:janus-hipaa|v 1/2"), "urn%3Ajanus-hipaa%7Cv%201%2F2");
    EXPECT_EQ(percentEncode("\xc3\xa9&="), "%C3%A9%26%3D");  // UTF-8 bytes one by one, upper-case hex
    EXPECT_EQ(percentEncode(""), "");
}
