// SPDX-License-Identifier: GPL-3.0-or-later
#include "TokenFactory.hpp"
#include "hipaa/KeyStore.hpp"

#include "TempDir.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::room::test;

namespace {

TokenFactory& keyFactory() {
    static TokenFactory f;
    return f;
}

TEST(KeyStore, AlgorithmFollowsTheKeyType) {
    auto ks = keyFactory().keys();
    EXPECT_TRUE(ks->find("es", "ES256"));
    EXPECT_FALSE(ks->find("es", "RS256"));
    EXPECT_TRUE(ks->find("ed", "EdDSA"));
    EXPECT_TRUE(ks->find("rs", "RS256"));
    EXPECT_TRUE(ks->find("hs", "HS256"));
    EXPECT_TRUE(ks->find("", "ES256"));  // single key of that alg
    EXPECT_EQ(json_array_size(ks->describe().get()), 4u);
    EXPECT_EQ(jsonDump(ks->describe().get()).find("BEGIN"), std::string::npos);
}

TEST(KeyStore, LoadsPemAndJwksFilesAndRefusesFilesOthersCanRead) {
    hipaa::test::TempDir dir;
    std::string pem = dir.write("es.pem", keyFactory().publicPem("es"), 0600);
    // A JWKS with the Ed25519 key (raw public bytes from its PEM via OpenSSL).
    EvpPkeyPtr ed;
    {
        std::string edPem = keyFactory().publicPem("ed");
        BioPtr bio(BIO_new_mem_buf(edPem.data(), static_cast<int>(edPem.size())));
        ed.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    }
    Bytes raw(32);
    size_t len = 32;
    ASSERT_EQ(EVP_PKEY_get_raw_public_key(ed.get(), raw.data(), &len), 1);
    std::string jwks =
        R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"idp-ed","use":"sig","x":")" + base64urlEncode(raw) + R"("}]})";
    std::string jwksFile = dir.write("jwks.json", jwks, 0600);
    std::string hs = dir.write("hs.key", std::string(40, 'k'), 0600);
    std::string dob = dir.write("dob.key", std::string(64, 'a'), 0600);  // hex
    auto ks = KeyStore::load({{"k1=" + pem}, jwksFile, {"h1=" + hs}, dob});
    EXPECT_EQ(ks->dobKey(), Bytes(32, 0xaa));
    EXPECT_TRUE(ks->find("k1", "ES256"));
    EXPECT_TRUE(ks->find("idp-ed", "EdDSA"));
    EXPECT_TRUE(ks->find("h1", "HS256"));
    EXPECT_FALSE(ks->hasDevelopmentKey());

    std::string open = dir.write("open.pem", keyFactory().publicPem("es"), 0644);
    EXPECT_THROW(KeyStore::load({{"k=" + open}, "", {}, ""}), ConfigError);
    std::string shortHs = dir.write("short.key", "tooshort", 0600);
    EXPECT_THROW(KeyStore::load({{}, "", {"h=" + shortHs}, ""}), ConfigError);
    EXPECT_THROW(KeyStore::load({{"k1=" + pem, "k1=" + pem}, "", {}, ""}), ConfigError);  // duplicate kid
    EXPECT_THROW(KeyStore::load({{"nokid"}, "", {}, ""}), ConfigError);
    // The date-of-birth key: 32 bytes, and nobody else may read it.
    EXPECT_THROW(KeyStore::load({{"k1=" + pem}, "", {}, shortHs}), ConfigError);
    std::string openDob = dir.write("open-dob.key", std::string(64, 'a'), 0640);
    EXPECT_THROW(KeyStore::load({{"k1=" + pem}, "", {}, openDob}), ConfigError);
    EXPECT_TRUE(KeyStore::load({{"k1=" + pem}, "", {}, ""})->dobKey().empty());
}

TEST(KeyStore, DevelopmentMarkerIsRecognized) {
    VerifyKey k =
        KeyStore::pemKey("dev", std::string(KeyStore::kDevelopmentMarker) + "\n" + keyFactory().publicPem("es"), "x");
    EXPECT_TRUE(k.development);
    EXPECT_EQ(k.alg, "ES256");
}

TEST(KeyStore, RefusesBadJwks) {
    EXPECT_THROW(KeyStore::jwksKeys("[]", "f"), ConfigError);
    EXPECT_THROW(KeyStore::jwksKeys(R"({"keys":[{"kty":"EC","crv":"P-384","kid":"a","x":"AA","y":"AA"}]})", "f"),
                 ConfigError);
    EXPECT_THROW(KeyStore::jwksKeys(R"({"keys":[{"kty":"oct","kid":"a","k":"AAAA"}]})", "f"), ConfigError);
    EXPECT_THROW(KeyStore::jwksKeys(R"({"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB"}]})", "f"), ConfigError);
    EXPECT_THROW(KeyStore::jwksKeys(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA"}]})", "f"), ConfigError);
    EXPECT_THROW(KeyStore::jwksKeys(R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","d":"x","x":"AA"}]})", "f"),
                 ConfigError);
}

}  // namespace
