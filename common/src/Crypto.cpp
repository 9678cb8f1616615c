// SPDX-License-Identifier: GPL-3.0-or-later
// Small OpenSSL-backed primitives: randomness, constant-time compare, SHA-256, HMAC.
#include "hipaa/ConstantTime.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/OpenSsl.hpp"
#include "hipaa/SecureRandom.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <climits>

namespace hipaa {

void throwOpenSsl(const char* what) {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    std::string msg = std::string(what);
    if (e != 0) {
        const char* reason = ERR_reason_error_string(e);
        if (reason) msg += std::string(": ") + reason;
    }
    throw CryptoError(msg);
}

void secureRandom(std::span<uint8_t> out) {
    if (out.size() > INT_MAX || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
        throwOpenSsl("random generator failed");
}

Bytes secureRandomBytes(size_t n) {
    Bytes b(n);
    secureRandom(b);
    return b;
}

uint64_t secureRandomU64() {
    uint64_t v = 0;
    secureRandom({reinterpret_cast<uint8_t*>(&v), sizeof v});
    return v;
}

bool constantTimeEqual(ByteView a, ByteView b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct Sha256::Impl {
    EvpMdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
    if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx.get(), EVP_sha256(), nullptr) != 1)
        throwOpenSsl("sha256 init failed");
}
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(ByteView data) {
    if (EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) throwOpenSsl("sha256 update failed");
}

Digest256 Sha256::finish() {
    Digest256 out{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(impl_->ctx.get(), out.data(), &len) != 1 || len != out.size())
        throwOpenSsl("sha256 final failed");
    return out;
}

Digest256 sha256(ByteView data) {
    // The audit chain hashes every record: fetch the algorithm once and keep one context per thread
    // (OpenSSL 3 looks the implicit EVP_sha256() up again on every init).
    static EvpMdPtr md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    thread_local EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    Digest256 out{};
    unsigned int len = 0;
    if (!md || !ctx || EVP_DigestInit_ex2(ctx.get(), md.get(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size())
        throwOpenSsl("sha256 failed");
    return out;
}

Digest256 hmacSha256(ByteView key, ByteView data) {
    if (key.empty()) throw CryptoError("HMAC key is empty");
    // EVP_MAC_fetch is costly; one fetched algorithm serves every call (it is thread-safe to share).
    static EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!mac) throwOpenSsl("HMAC unavailable");
    EvpMacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    Digest256 out{};
    size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
        EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size())
        throwOpenSsl("HMAC failed");
    return out;
}

}  // namespace hipaa
