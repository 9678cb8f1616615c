// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/VerifyKey.hpp"

#include "hipaa/ConstantTime.hpp"
#include "hipaa/Hash.hpp"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>

#include <memory>

namespace hipaa {
namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslDeleter<&ECDSA_SIG_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslDeleter<&BN_free>>;

// JOSE (RFC 7518 §3.4) carries r||s as two 32-byte big-endian integers; OpenSSL wants DER.
bool joseToDer(ByteView sig, Bytes& der) {
    if (sig.size() != 64) return false;
    BignumPtr r(BN_bin2bn(sig.data(), 32, nullptr)), s(BN_bin2bn(sig.data() + 32, 32, nullptr));
    EcdsaSigPtr ecdsa(ECDSA_SIG_new());
    if (!r || !s || !ecdsa) throwOpenSsl("ECDSA_SIG");
    if (BN_is_zero(r.get()) || BN_is_zero(s.get())) return false;
    if (ECDSA_SIG_set0(ecdsa.get(), r.get(), s.get()) != 1) throwOpenSsl("ECDSA_SIG_set0");
    (void)r.release();  // owned by ecdsa now
    (void)s.release();
    int len = i2d_ECDSA_SIG(ecdsa.get(), nullptr);
    if (len <= 0) throwOpenSsl("i2d_ECDSA_SIG");
    der.resize(static_cast<size_t>(len));
    unsigned char* p = der.data();
    if (i2d_ECDSA_SIG(ecdsa.get(), &p) != len) throwOpenSsl("i2d_ECDSA_SIG");
    return true;
}

bool digestVerify(EVP_PKEY* pkey, const EVP_MD* md, std::string_view input, ByteView sig) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx) throwOpenSsl("EVP_MD_CTX_new");
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey) != 1) throwOpenSsl("EVP_DigestVerifyInit");
    int rc = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), reinterpret_cast<const unsigned char*>(input.data()),
                              input.size());
    ERR_clear_error();  // a bad signature leaves an error on the queue; it is an answer, not a fault
    return rc == 1;
}

}  // namespace

bool VerifyKey::verify(std::string_view signingInput, ByteView signature) const {
    if (alg == "HS256") {
        if (signature.size() != 32 || secret.empty()) return false;
        Digest256 mac = hmacSha256(secret, asBytes(signingInput));
        return constantTimeEqual(ByteView(mac.data(), mac.size()), signature);
    }
    if (!pkey) return false;
    if (alg == "ES256") {
        Bytes der;
        if (!joseToDer(signature, der)) return false;
        return digestVerify(pkey.get(), EVP_sha256(), signingInput, der);
    }
    if (alg == "EdDSA") return signature.size() == 64 && digestVerify(pkey.get(), nullptr, signingInput, signature);
    if (alg == "RS256") return digestVerify(pkey.get(), EVP_sha256(), signingInput, signature);
    return false;
}

}  // namespace hipaa
