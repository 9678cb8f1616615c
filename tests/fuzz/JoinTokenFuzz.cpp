// SPDX-License-Identifier: GPL-3.0-or-later
// The join token parser and verifier on arbitrary bytes: only TokenError comes out, and nothing
// random is ever accepted.
#include "RoomErrors.hpp"
#include "TokenVerifier.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace {

std::shared_ptr<hipaa::room::TokenVerifier> makeVerifier() {
    using namespace hipaa;
    using namespace hipaa::room;
    EVP_PKEY* k = EVP_EC_gen("P-256");
    hipaa::BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), k);
    EVP_PKEY_free(k);
    char* p = nullptr;
    long n = BIO_get_mem_data(bio.get(), &p);
    std::vector<VerifyKey> keys;
    keys.push_back(KeyStore::pemKey("es", std::string(p, static_cast<size_t>(n)), "fuzz"));
    VerifyKey h;
    h.kid = "hs";
    h.alg = "HS256";
    h.secret = hipaa::Bytes(32, 7);
    keys.push_back(std::move(h));
    TokenPolicy policy;
    policy.issuers = {"iss"};
    policy.audience = "aud";
    return std::make_shared<TokenVerifier>(policy, KeyStore::fromKeys(std::move(keys)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static auto verifier = makeVerifier();
    std::string_view token(reinterpret_cast<const char*>(data), size);
    hipaa::room::JoinCheck check;
    check.room = "r";
    check.allowHs256 = true;
    try {
        verifier->verify(token, check, 1'900'000'000);
        __builtin_trap();  // a random input passed signature verification
    } catch (const hipaa::Error&) {
    }
    return 0;
}
