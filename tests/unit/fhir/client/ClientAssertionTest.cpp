// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientAssertion.hpp"
#include "TempDir.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

#include <gtest/gtest.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <set>

using namespace hipaa;
using namespace hipaa::fhir;

namespace {

constexpr const char* kTokenUrl = "https://ehr.example.org/auth/token";

struct Keys {
    hipaa::test::TempDir dir;
    std::string es384, rs384, p256;
    Keys() {
        es384 = dir.file("es384.key");
        rs384 = dir.file("rs384.key");
        p256 = dir.file("p256.key");
        std::string cmd = "umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out " + es384 +
                          " 2>/dev/null && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + rs384 +
                          " 2>/dev/null && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                          p256 + " 2>/dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl genpkey failed");
    }
};

Keys& keys() {
    static Keys k;
    return k;
}

JsonPtr part(const std::string& jwt, int index) {
    size_t a = jwt.find('.'), b = jwt.find('.', a + 1);
    std::string seg = index == 0 ? jwt.substr(0, a) : jwt.substr(a + 1, b - a - 1);
    auto bytes = base64urlDecode(seg);
    EXPECT_TRUE(bytes);
    return jsonParse(asChars(*bytes));
}

// Verifies the JWS signature with the public half of `keyFile`.
bool verify(const std::string& jwt, const std::string& keyFile, bool ec) {
    FILE* f = std::fopen(keyFile.c_str(), "r");
    EVP_PKEY* pkey = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    EvpPkeyPtr key(pkey);
    size_t dot = jwt.rfind('.');
    std::string input = jwt.substr(0, dot);
    auto sig = base64urlDecode(jwt.substr(dot + 1));
    if (!sig) return false;
    Bytes der = *sig;
    if (ec) {
        if (sig->size() != 96) return false;
        ECDSA_SIG* s = ECDSA_SIG_new();
        ECDSA_SIG_set0(s, BN_bin2bn(sig->data(), 48, nullptr), BN_bin2bn(sig->data() + 48, 48, nullptr));
        unsigned char* out = nullptr;
        int len = i2d_ECDSA_SIG(s, &out);
        der.assign(out, out + len);
        OPENSSL_free(out);
        ECDSA_SIG_free(s);
    }
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key.get());
    return EVP_DigestVerify(ctx.get(), der.data(), der.size(), reinterpret_cast<const unsigned char*>(input.data()),
                            input.size()) == 1;
}

}  // namespace

TEST(ClientAssertion, Es384HeaderClaimsAndSignature) {
    ClientAssertion a(keys().es384, ClientAssertion::Alg::ES384, "kid-1", "janus-client", kTokenUrl);
    std::string jwt = a.sign(1000000, 240);
    JsonPtr h = part(jwt, 0), c = part(jwt, 1);
    EXPECT_EQ(jsonString(h.get(), "alg").value_or(""), "ES384");
    EXPECT_EQ(jsonString(h.get(), "kid").value_or(""), "kid-1");
    EXPECT_EQ(jsonString(h.get(), "typ").value_or(""), "JWT");
    EXPECT_EQ(jsonString(c.get(), "iss").value_or(""), "janus-client");
    EXPECT_EQ(jsonString(c.get(), "sub").value_or(""), "janus-client");
    EXPECT_EQ(jsonString(c.get(), "aud").value_or(""), kTokenUrl);
    EXPECT_EQ(jsonInt(c.get(), "exp").value_or(0), 1000240);
    EXPECT_EQ(jsonString(c.get(), "jti").value_or("").size(), 32u);
    EXPECT_TRUE(verify(jwt, keys().es384, true));
    // A flipped signature bit does not verify (the check above can fail).
    std::string bad = jwt;
    bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify(bad, keys().es384, true));
}

TEST(ClientAssertion, Rs384Signature) {
    ClientAssertion a(keys().rs384, ClientAssertion::Alg::RS384, "kid-r", "janus-client", kTokenUrl);
    std::string jwt = a.sign(1000000);
    EXPECT_EQ(jsonString(part(jwt, 0).get(), "alg").value_or(""), "RS384");
    EXPECT_TRUE(verify(jwt, keys().rs384, false));
}

TEST(ClientAssertion, JtiIsUniquePerAssertion) {
    ClientAssertion a(keys().es384, ClientAssertion::Alg::ES384, "kid-1", "janus-client", kTokenUrl);
    std::set<std::string> jtis;
    for (int i = 0; i < 50; ++i)
        jtis.insert(std::string(jsonString(part(a.sign(1000000), 1).get(), "jti").value_or("")));
    EXPECT_EQ(jtis.size(), 50u);
}

TEST(ClientAssertion, KeyMustMatchAlgorithmAndBePrivate) {
    EXPECT_THROW(ClientAssertion(keys().p256, ClientAssertion::Alg::ES384, "k", "c", kTokenUrl), ConfigError);
    EXPECT_THROW(ClientAssertion(keys().es384, ClientAssertion::Alg::RS384, "k", "c", kTokenUrl), ConfigError);
    EXPECT_THROW(ClientAssertion(keys().rs384, ClientAssertion::Alg::ES384, "k", "c", kTokenUrl), ConfigError);
    EXPECT_THROW(ClientAssertion(keys().es384, ClientAssertion::Alg::ES384, "", "c", kTokenUrl), ConfigError);
    EXPECT_THROW(ClientAssertion::parseAlg("HS256"), ConfigError);
    EXPECT_THROW(ClientAssertion::parseAlg("none"), ConfigError);
    hipaa::test::TempDir dir;
    std::string open = dir.write("open.key", hipaa::test::readFile(keys().es384), 0644);
    EXPECT_THROW(ClientAssertion(open, ClientAssertion::Alg::ES384, "k", "c", kTokenUrl), ConfigError);
}
