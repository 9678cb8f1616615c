// SPDX-License-Identifier: GPL-3.0-or-later
#include "OutboxCipher.hpp"
#include "TempDir.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::fhir;

TEST(OutboxCipher, RoundTripAndBoundToItsRow) {
    Bytes key(32, 7);
    OutboxCipher c{ByteView(key)};
    Bytes sealed = c.seal("fhir_note|n-1", "the note text");
    EXPECT_EQ(std::string(asChars(sealed)).find("the note"), std::string::npos);
    EXPECT_EQ(c.open("fhir_note|n-1", sealed), "the note text");
    EXPECT_THROW(c.open("fhir_note|n-2", sealed), CryptoError);
    sealed[20] ^= 1;
    EXPECT_THROW(c.open("fhir_note|n-1", sealed), CryptoError);
    EXPECT_NE(c.seal("a", "x"), c.seal("a", "x"));  // fresh nonce each time
}

TEST(OutboxCipher, KeyFileMustBePrivate) {
    hipaa::test::TempDir dir;
    std::string hex(64, 'a');
    EXPECT_NO_THROW(OutboxCipher(dir.write("k", hex + "\n", 0600)));
    EXPECT_THROW(OutboxCipher(dir.write("open", hex + "\n", 0644)), ConfigError);
    EXPECT_THROW(OutboxCipher(dir.write("short", "abcd\n", 0600)), Error);
}
