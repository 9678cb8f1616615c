// SPDX-License-Identifier: GPL-3.0-or-later
// The join token verifier against a table of hostile tokens (each refused with its own code) and a
// table of legitimate ones (all accepted).
#include "RoomErrors.hpp"
#include "TokenFactory.hpp"
#include "TokenVerifier.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Hash.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <limits>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::room::test;

namespace {

constexpr int64_t kNow = 1'900'000'000;
constexpr const char* kRoom = "r_room1";

struct Env {
    TokenFactory& f;
    JsonPtr c(const std::string& role = "patient") const { return f.claims(kRoom, role, kNow); }
    std::string signed_(const json_t* claims, const std::string& alg = "ES256") const { return f.sign(claims, alg); }
    // claims with one field replaced (or removed when value is null)
    std::string with(const char* key, json_t* value, const std::string& role = "patient") const {
        JsonPtr cl = c(role);
        if (value)
            json_object_set_new(cl.get(), key, value);
        else
            json_object_del(cl.get(), key);
        return f.sign(cl.get());
    }
    std::string b64(const std::string& s) const { return base64urlEncode(asBytes(s)); }
    // A patient token whose dob_hmac is for `dob`.
    std::string withDob(const std::string& dob) const {
        JsonPtr cl = c();
        jsonSet(cl.get(), "dob_hmac", f.dobHmac(cl.get(), dob));
        return f.sign(cl.get());
    }
};

struct Case {
    const char* name;
    int code;
    std::function<std::string(const Env&)> token;
    std::function<void(JoinCheck&)> check = nullptr;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

TokenFactory& factory() {
    static TokenFactory f;
    return f;
}

std::string flipLastSigChar(std::string t) {
    char& ch = t[t.size() - 2];
    ch = ch == 'A' ? 'B' : 'A';
    return t;
}

const std::vector<Case>& hostile() {
    static const std::vector<Case> cases = {
        // alg none / unconfigured / key confusion
        {"AlgNoneEmptySignature", room::errc::kTokenMalformed,
         [](const Env& e) { return e.b64(R"({"alg":"none"})") + "." + e.b64(jsonDump(e.c().get())) + "."; }},
        {"AlgNoneWithSignature", room::errc::kTokenAlgorithm,
         [](const Env& e) { return e.b64(R"({"alg":"none"})") + "." + e.b64(jsonDump(e.c().get())) + ".AAAA"; }},
        {"AlgNoneUppercase", room::errc::kTokenAlgorithm,
         [](const Env& e) {
             return e.b64(R"({"alg":"NONE","kid":"es"})") + "." + e.b64(jsonDump(e.c().get())) + ".AAAA";
         }},
        {"AlgMissing", room::errc::kTokenAlgorithm,
         [](const Env& e) { return e.f.signRaw(R"({"kid":"es"})", jsonDump(e.c().get()), "ES256", "es"); }},
        {"AlgEs384", room::errc::kTokenAlgorithm,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"ES384","kid":"es"})", jsonDump(e.c().get()), "ES256", "es");
         }},
        {"AlgPs256", room::errc::kTokenAlgorithm,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"PS256","kid":"rs"})", jsonDump(e.c().get()), "RS256", "rs");
         }},
        {"Hs256WhereNotAllowed", room::errc::kTokenAlgorithm,
         [](const Env& e) { return e.signed_(e.c().get(), "HS256"); }},
        {"Hs256KeyedWithRsaPublicPem", room::errc::kTokenAlgorithm,
         [](const Env& e) {
             // The classic confusion: HMAC keyed with the RSA public key the server holds.
             std::string input = e.b64(R"({"alg":"HS256","kid":"rs"})") + "." + e.b64(jsonDump(e.c().get()));
             Digest256 mac = hmacSha256(asBytes(e.f.publicPem("rs")), asBytes(input));
             return input + "." + base64urlEncode(ByteView(mac.data(), mac.size()));
         },
         [](JoinCheck& c) { c.allowHs256 = true; }},
        {"EdDsaHeaderOnEsKid", room::errc::kTokenAlgorithm,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"EdDSA","kid":"es"})", jsonDump(e.c().get()), "EdDSA", "ed");
         }},
        {"Rs256HeaderOnHsKid", room::errc::kTokenAlgorithm,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"RS256","kid":"hs"})", jsonDump(e.c().get()), "RS256", "rs");
         },
         [](JoinCheck& c) { c.allowHs256 = true; }},
        // key
        {"UnknownKid", room::errc::kTokenUnknownKey,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"ES256","kid":"nope"})", jsonDump(e.c().get()), "ES256", "es");
         }},
        // signature
        {"Es256FlippedSignature", room::errc::kTokenSignature,
         [](const Env& e) { return flipLastSigChar(e.signed_(e.c().get())); }},
        {"EdDsaFlippedSignature", room::errc::kTokenSignature,
         [](const Env& e) { return flipLastSigChar(e.signed_(e.c().get(), "EdDSA")); }},
        {"Rs256FlippedSignature", room::errc::kTokenSignature,
         [](const Env& e) { return flipLastSigChar(e.signed_(e.c().get(), "RS256")); }},
        {"Hs256FlippedSignature", room::errc::kTokenSignature,
         [](const Env& e) { return flipLastSigChar(e.signed_(e.c().get(), "HS256")); },
         [](JoinCheck& c) { c.allowHs256 = true; }},
        {"Es256SignedByOtherKey", room::errc::kTokenSignature,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"ES256","kid":"es"})", jsonDump(e.c().get()), "ES256", "es-other");
         }},
        {"Es256DerSignature", room::errc::kTokenSignature,
         [](const Env& e) {
             // A DER signature where JOSE wants r||s.
             std::string t = e.signed_(e.c().get());
             auto raw = *base64urlDecode(t.substr(t.rfind('.') + 1));
             Bytes der{0x30, 0x44, 0x02, 0x20};
             der.insert(der.end(), raw.begin(), raw.begin() + 32);
             der.insert(der.end(), {0x02, 0x20});
             der.insert(der.end(), raw.begin() + 32, raw.end());
             return t.substr(0, t.rfind('.') + 1) + base64urlEncode(der);
         }},
        {"Es256TruncatedSignature", room::errc::kTokenSignature,
         [](const Env& e) {
             std::string t = e.signed_(e.c().get());
             auto raw = *base64urlDecode(t.substr(t.rfind('.') + 1));
             raw.pop_back();
             return t.substr(0, t.rfind('.') + 1) + base64urlEncode(raw);
         }},
        {"Es256ZeroSignature", room::errc::kTokenSignature,
         [](const Env& e) {
             std::string t = e.signed_(e.c().get());
             return t.substr(0, t.rfind('.') + 1) + base64urlEncode(Bytes(64, 0));
         }},
        {"PayloadSwappedAfterSigning", room::errc::kTokenSignature,
         [](const Env& e) {
             std::string t = e.signed_(e.c("patient").get());
             std::string other = e.b64(jsonDump(e.c("provider").get()));
             auto d1 = t.find('.'), d2 = t.rfind('.');
             return t.substr(0, d1 + 1) + other + t.substr(d2);
         }},
        // malformed
        {"Empty", room::errc::kTokenMalformed, [](const Env&) { return std::string(); }},
        {"TwoParts", room::errc::kTokenMalformed,
         [](const Env& e) {
             std::string t = e.signed_(e.c().get());
             return t.substr(0, t.rfind('.'));
         }},
        {"FourParts", room::errc::kTokenMalformed, [](const Env& e) { return e.signed_(e.c().get()) + ".AAAA"; }},
        {"PaddedBase64", room::errc::kTokenMalformed,
         [](const Env& e) {
             std::string t = e.signed_(e.c().get());
             return t.insert(t.find('.'), "=");
         }},
        {"HeaderNotJson", room::errc::kTokenMalformed,
         [](const Env& e) { return e.b64("{alg:ES256") + "." + e.b64(jsonDump(e.c().get())) + ".AAAA"; }},
        {"PayloadArray", room::errc::kTokenMalformed,
         [](const Env& e) { return e.f.signRaw(R"({"alg":"ES256","kid":"es"})", "[1,2]", "ES256", "es"); }},
        {"DuplicateSubClaim", room::errc::kTokenMalformed,
         [](const Env& e) {
             std::string p = jsonDump(e.c().get());
             p.insert(1, R"("sub":"someone-else",)");
             return e.f.signRaw(R"({"alg":"ES256","kid":"es"})", p, "ES256", "es");
         }},
        {"DuplicateAlgHeader", room::errc::kTokenMalformed,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"ES256","alg":"none","kid":"es"})", jsonDump(e.c().get()), "ES256", "es");
         }},
        {"CritHeader", room::errc::kTokenMalformed,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"ES256","kid":"es","crit":["exp"]})", jsonDump(e.c().get()), "ES256", "es");
         }},
        {"EmbeddedJwk", room::errc::kTokenMalformed,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"ES256","kid":"es","jwk":{"kty":"EC"}})", jsonDump(e.c().get()), "ES256",
                                "es");
         }},
        {"JkuHeader", room::errc::kTokenMalformed,
         [](const Env& e) {
             return e.f.signRaw(R"({"alg":"ES256","kid":"es","jku":"https://evil"})", jsonDump(e.c().get()), "ES256",
                                "es");
         }},
        {"AlgNotString", room::errc::kTokenMalformed,
         [](const Env& e) { return e.f.signRaw(R"({"alg":7,"kid":"es"})", jsonDump(e.c().get()), "ES256", "es"); }},
        // size
        {"Oversize8193", room::errc::kTokenTooLarge,
         [](const Env& e) {
             return e.with("pad", json_string(std::string(7000, 'x').c_str())) + std::string(2000, 'A');
         }},
        {"Oversize64k", room::errc::kTokenTooLarge, [](const Env&) { return std::string(65536, 'a'); }},
        // claims
        {"UnknownIssuer", room::errc::kTokenIssuer,
         [](const Env& e) { return e.with("iss", json_string("https://evil")); }},
        {"IssuerMissing", room::errc::kTokenClaimMissing, [](const Env& e) { return e.with("iss", nullptr); }},
        {"IssuerNumber", room::errc::kTokenClaimMissing, [](const Env& e) { return e.with("iss", json_integer(1)); }},
        {"WrongAudience", room::errc::kTokenAudience,
         [](const Env& e) { return e.with("aud", json_string("other-app")); }},
        {"AudienceArrayWithoutUs", room::errc::kTokenAudience,
         [](const Env& e) { return e.with("aud", json_pack("[ss]", "a", "b")); }},
        {"AudienceMissing", room::errc::kTokenClaimMissing, [](const Env& e) { return e.with("aud", nullptr); }},
        {"Expired", room::errc::kTokenExpired, [](const Env& e) { return e.with("exp", json_integer(kNow - 31)); }},
        {"ExpiredLongAgo", room::errc::kTokenExpired,
         [](const Env& e) {
             JsonPtr c = e.f.claims(kRoom, "patient", kNow - 3000, "sub-1", 600);
             return e.signed_(c.get());
         }},
        {"NotBeforeFuture", room::errc::kTokenNotYetValid,
         [](const Env& e) { return e.with("nbf", json_integer(kNow + 31)); }},
        {"IssuedInFuture", room::errc::kTokenNotYetValid,
         [](const Env& e) { return e.with("iat", json_integer(kNow + 120)); }},
        {"LifetimeTooLong", room::errc::kTokenTooOld,
         [](const Env& e) { return e.with("exp", json_integer(kNow + 7200)); }},
        {"IssuedTooLongAgo", room::errc::kTokenTooOld,
         [](const Env& e) {
             JsonPtr c = e.c();
             jsonSet(c.get(), "iat", kNow - 3700);
             jsonSet(c.get(), "nbf", kNow - 3700);
             jsonSet(c.get(), "exp", kNow + 10);
             return e.signed_(c.get());
         }},
        // NumericDates near INT64_MAX: bounded before any arithmetic (exp + skew would overflow).
        {"ExpInt64Max", room::errc::kTokenClaimMissing,
         [](const Env& e) { return e.with("exp", json_integer(std::numeric_limits<json_int_t>::max())); }},
        {"ExpNearInt64Max", room::errc::kTokenClaimMissing,
         [](const Env& e) { return e.with("exp", json_integer(std::numeric_limits<json_int_t>::max() - 10)); }},
        {"NbfInt64Max", room::errc::kTokenClaimMissing,
         [](const Env& e) { return e.with("nbf", json_integer(std::numeric_limits<json_int_t>::max())); }},
        {"ExpAsString", room::errc::kTokenClaimMissing,
         [](const Env& e) { return e.with("exp", json_string("1900000600")); }},
        {"ExpAsFloat", room::errc::kTokenClaimMissing,
         [](const Env& e) { return e.with("exp", json_real(1900000600.5)); }},
        {"SubMissing", room::errc::kTokenClaimMissing, [](const Env& e) { return e.with("sub", nullptr); }},
        {"JtiMissing", room::errc::kTokenClaimMissing, [](const Env& e) { return e.with("jti", nullptr); }},
        {"WrongRoom", room::errc::kTokenWrongRoom, [](const Env& e) { return e.with("room", json_string("r_other")); }},
        {"RoomMissing", room::errc::kTokenClaimMissing, [](const Env& e) { return e.with("room", nullptr); }},
        {"UnknownRole", room::errc::kTokenUnknownRole,
         [](const Env& e) { return e.with("role", json_string("admin")); }},
        {"RoleCaseVariant", room::errc::kTokenUnknownRole,
         [](const Env& e) { return e.with("role", json_string("Provider")); }},
        {"RoleNotAllowedInClass", room::errc::kTokenUnknownRole,
         [](const Env& e) { return e.signed_(e.c("observer").get()); },
         [](JoinCheck& c) { c.allowedRoles.erase(Role::Observer); }},
        {"ProviderWithoutMfa", room::errc::kTokenMfaRequired,
         [](const Env& e) { return e.with("amr", json_pack("[s]", "pwd"), "provider"); }},
        {"ProviderWithoutAmr", room::errc::kTokenMfaRequired,
         [](const Env& e) { return e.with("amr", nullptr, "provider"); }},
        {"DobWrong", room::errc::kTokenDobMismatch, [](const Env& e) { return e.withDob("1980-02-29"); },
         [](JoinCheck& c) {
             c.dobCheck = true;
             c.dob = "1980-03-01";
         }},
        {"DobNotTyped", room::errc::kTokenDobMismatch, [](const Env& e) { return e.withDob("1980-02-29"); },
         [](JoinCheck& c) { c.dobCheck = true; }},
        {"DobMalformed", room::errc::kTokenDobMismatch, [](const Env& e) { return e.withDob("1980-02-29"); },
         [](JoinCheck& c) {
             c.dobCheck = true;
             c.dob = "19800229";
         }},
        {"DobHmacOfAnotherLink", room::errc::kTokenDobMismatch,
         [](const Env& e) {
             // A MAC copied from another link (another jti) does not fit this one.
             JsonPtr other = e.c();
             JsonPtr cl = e.c();
             jsonSet(cl.get(), "dob_hmac", e.f.dobHmac(other.get(), "1980-02-29"));
             return e.signed_(cl.get());
         },
         [](JoinCheck& c) {
             c.dobCheck = true;
             c.dob = "1980-02-29";
         }},
        {"DobHmacUnderAnotherKey", room::errc::kTokenDobMismatch,
         [](const Env& e) {
             JsonPtr cl = e.c();
             Bytes otherKey(32, 7);
             std::string jti(jsonString(cl.get(), "jti").value_or(""));
             jsonSet(cl.get(), "dob_hmac", dobHmac(otherKey, jti, "1980-02-29"));
             return e.signed_(cl.get());
         },
         [](JoinCheck& c) {
             c.dobCheck = true;
             c.dob = "1980-02-29";
         }},
        {"DobHmacNotAString", room::errc::kTokenClaimMissing,
         [](const Env& e) { return e.with("dob_hmac", json_integer(1)); },
         [](JoinCheck& c) {
             c.dobCheck = true;
             c.dob = "1980-02-29";
         }},
        {"SubjectLockedOutEvenWithTheRightDob", room::errc::kRoomLockedOut,
         [](const Env& e) { return e.withDob("1980-02-29"); },
         [](JoinCheck& c) {
             c.dobCheck = true;
             c.dob = "1980-02-29";
             c.subjectLocked = [](const std::string&, const std::string& sub) { return sub == "sub-1"; };
         }},
        // A link must not carry a date of birth anyone can recover offline, nor a patient's name.
        {"LegacyDobSha256", room::errc::kTokenDobLegacy,
         [](const Env& e) {
             Digest256 d = sha256(asBytes(std::string("1980-02-29")));
             return e.with("dob_sha256", json_string(hexEncode(ByteView(d.data(), d.size())).c_str()));
         },
         [](JoinCheck& c) {
             c.dobCheck = true;
             c.dob = "1980-02-29";
         }},
        {"LegacyDobSha256WithoutDobCheck", room::errc::kTokenDobLegacy,
         [](const Env& e) {
             Digest256 d = sha256(asBytes(std::string("1980-02-29")));
             return e.with("dob_sha256", json_string(hexEncode(ByteView(d.data(), d.size())).c_str()));
         }},
        {"PatientTokenWithName", room::errc::kTokenPatientName,
         [](const Env& e) { return e.with("name", json_string("Alice")); }},
        {"DobHashMissing", room::errc::kTokenDobMismatch, [](const Env& e) { return e.signed_(e.c().get()); },
         [](JoinCheck& c) {
             c.dobCheck = true;
             c.dob = "1980-02-29";
         }},
    };
    return cases;
}

TokenPolicy policy() {
    TokenPolicy p;
    p.issuers = {TokenFactory::kIssuer};
    p.audience = TokenFactory::kAudience;
    p.skewS = 30;
    p.maxLifetimeS = 3600;
    return p;
}

class HostileToken : public ::testing::TestWithParam<Case> {};

TEST_P(HostileToken, IsRefusedWithItsCode) {
    Env env{factory()};
    TokenVerifier v(policy(), factory().keys());
    JoinCheck check;
    check.room = kRoom;
    if (GetParam().check) GetParam().check(check);
    std::string token = GetParam().token(env);
    try {
        v.verify(token, check, kNow);
        FAIL() << "accepted";
    } catch (const TokenError& e) {
        EXPECT_EQ(e.code(), GetParam().code) << e.what();
        EXPECT_FALSE(e.reason().empty());
        // The refusal never echoes the token or its claims.
        EXPECT_EQ(std::string(e.what()).find("sub-1"), std::string::npos);
    }
}

INSTANTIATE_TEST_SUITE_P(Table, HostileToken, ::testing::ValuesIn(hostile()),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(HostileTokenTable, HasAtLeastFortyCasesCoveringEveryCode) {
    EXPECT_GE(hostile().size(), 40u);
    std::set<int> codes;
    for (const auto& c : hostile()) codes.insert(c.code);
    for (int code = room::errc::kTokenMalformed; code <= room::errc::kTokenPatientName; ++code) {
        if (code == room::errc::kTokenReplayed || code == room::errc::kTokenRevoked) continue;  // stateful: below
        EXPECT_TRUE(codes.contains(code)) << code;
    }
}

TEST(TokenVerifier, ReplayedJtiIsRefusedUntilExpiry) {
    TokenVerifier v(policy(), factory().keys());
    JsonPtr c = factory().claims(kRoom, "patient", kNow);
    std::string t = factory().sign(c.get());
    JoinCheck check;
    check.room = kRoom;
    EXPECT_NO_THROW(v.verify(t, check, kNow));
    try {
        v.verify(t, check, kNow + 1);
        FAIL();
    } catch (const TokenError& e) {
        EXPECT_EQ(e.code(), room::errc::kTokenReplayed);
        EXPECT_EQ(e.sub, "sub-1");  // authentic: the caller may pseudonymize it
    }
    // Same jti in a token re-signed with another algorithm: still one-time.
    std::string t2 = factory().sign(c.get(), "EdDSA");
    EXPECT_THROW(v.verify(t2, check, kNow + 2), TokenError);
}

TEST(TokenVerifier, RevokedSubjectAndTokenIdAreRefused) {
    TokenVerifier v(policy(), factory().keys());
    JoinCheck check;
    check.room = kRoom;
    v.revocations().revokeSubject("sub-bad", kNow + 100);
    JsonPtr c = factory().claims(kRoom, "patient", kNow, "sub-bad");
    try {
        v.verify(factory().sign(c.get()), check, kNow);
        FAIL();
    } catch (const TokenError& e) {
        EXPECT_EQ(e.code(), room::errc::kTokenRevoked);
    }
    JsonPtr c2 = factory().claims(kRoom, "patient", kNow, "sub-ok");
    v.revocations().revokeTokenId(std::string(jsonString(c2.get(), "jti").value_or("")), kNow + 100);
    try {
        v.verify(factory().sign(c2.get()), check, kNow);
        FAIL();
    } catch (const TokenError& e) {
        EXPECT_EQ(e.code(), room::errc::kTokenRevoked);
    }
    // The revocation expires.
    JsonPtr c3 = factory().claims(kRoom, "patient", kNow + 200, "sub-bad");
    EXPECT_NO_THROW(v.verify(factory().sign(c3.get()), check, kNow + 200));
}

// A jti is unique per issuer only: two issuers' tokens with the same jti are two tokens.
TEST(TokenVerifier, ReplayCacheKeysByIssuerAndJti) {
    TokenPolicy p = policy();
    p.issuers.insert("https://other-idp.test");
    TokenVerifier v(p, factory().keys());
    JoinCheck check;
    check.room = kRoom;
    JsonPtr a = factory().claims(kRoom, "patient", kNow, "sub-a");
    JsonPtr b = factory().claims(kRoom, "patient", kNow, "sub-b");
    jsonSet(a.get(), "jti", "shared-jti");
    jsonSet(b.get(), "jti", "shared-jti");
    jsonSet(b.get(), "iss", "https://other-idp.test");
    EXPECT_NO_THROW(v.verify(factory().sign(a.get()), check, kNow));
    EXPECT_NO_THROW(v.verify(factory().sign(b.get()), check, kNow)) << "another issuer's jti was taken for a replay";
    try {
        v.verify(factory().sign(b.get(), "EdDSA"), check, kNow);
        FAIL() << "replay accepted";
    } catch (const TokenError& e) {
        EXPECT_EQ(e.code(), room::errc::kTokenReplayed);
    }
}

struct Legit {
    const char* name;
    std::function<std::string(const Env&)> token;
    std::function<void(JoinCheck&)> check = nullptr;
    Role role = Role::Patient;
};

void PrintTo(const Legit& c, std::ostream* os) { *os << c.name; }

class LegitimateToken : public ::testing::TestWithParam<Legit> {};

TEST_P(LegitimateToken, IsAccepted) {
    Env env{factory()};
    TokenVerifier v(policy(), factory().keys());
    JoinCheck check;
    check.room = kRoom;
    if (GetParam().check) GetParam().check(check);
    VerifiedToken t = v.verify(GetParam().token(env), check, kNow);
    EXPECT_EQ(t.room, kRoom);
    EXPECT_EQ(t.role, GetParam().role);
    EXPECT_EQ(t.iss, TokenFactory::kIssuer);
}

const Legit kLegit[] = {
    {"Es256", [](const Env& e) { return e.signed_(e.c().get(), "ES256"); }},
    {"EdDsa", [](const Env& e) { return e.signed_(e.c().get(), "EdDSA"); }},
    {"Rs256", [](const Env& e) { return e.signed_(e.c().get(), "RS256"); }},
    {"Hs256WhereAllowed", [](const Env& e) { return e.signed_(e.c().get(), "HS256"); },
     [](JoinCheck& c) { c.allowHs256 = true; }},
    {"NoKidSingleKeyOfAlg",
     [](const Env& e) { return e.f.signRaw(R"({"alg":"EdDSA"})", jsonDump(e.c().get()), "EdDSA", "ed"); }},
    {"AudienceArray", [](const Env& e) { return e.with("aud", json_pack("[ss]", "x", TokenFactory::kAudience)); }},
    {"ExpiredWithinSkew", [](const Env& e) { return e.with("exp", json_integer(kNow - 29)); }},
    {"NotBeforeWithinSkew", [](const Env& e) { return e.with("nbf", json_integer(kNow + 29)); }},
    {"ProviderWithMfa", [](const Env& e) { return e.signed_(e.c("provider").get()); }, nullptr, Role::Provider},
    {"ProviderWithOtp", [](const Env& e) { return e.with("amr", json_pack("[ss]", "pwd", "otp"), "provider"); },
     nullptr, Role::Provider},
    {"InterpreterWithName", [](const Env& e) { return e.with("name", json_string("Ana"), "interpreter"); }, nullptr,
     Role::Interpreter},
    {"PatientDobCheck", [](const Env& e) { return e.withDob("1980-02-29"); },
     [](JoinCheck& c) {
         c.dobCheck = true;
         c.dob = "1980-02-29";
     }},
    {"PatientDobHmacWithoutDobCheck", [](const Env& e) { return e.withDob("1980-02-29"); }},
    {"SubjectLockOnlyForThatSubject", [](const Env& e) { return e.withDob("1980-02-29"); },
     [](JoinCheck& c) {
         c.dobCheck = true;
         c.dob = "1980-02-29";
         c.subjectLocked = [](const std::string&, const std::string& sub) { return sub == "someone-else"; };
     }},
    {"WithFhirContext",
     [](const Env& e) {
         return e.with("fhir", json_pack("{ssss}", "patient", "Patient/1", "encounter", "Encounter/2"));
     }},
};

INSTANTIATE_TEST_SUITE_P(Table, LegitimateToken, ::testing::ValuesIn(kLegit),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(TokenVerifier, KeysReloadSwapsTheKeySet) {
    TokenVerifier v(policy(), factory().keys(false));
    JoinCheck check;
    check.room = kRoom;
    check.allowHs256 = true;
    JsonPtr c = factory().claims(kRoom, "patient", kNow);
    EXPECT_THROW(v.verify(factory().sign(c.get(), "HS256"), check, kNow), TokenError);
    v.setKeys(factory().keys(true));
    EXPECT_NO_THROW(v.verify(factory().sign(c.get(), "HS256"), check, kNow));
}

TEST(TokenVerifier, SkewAboveSixtySecondsIsAConfigError) {
    TokenPolicy p = policy();
    p.skewS = 61;
    EXPECT_THROW(TokenVerifier(p, factory().keys()), ConfigError);
}

}  // namespace
