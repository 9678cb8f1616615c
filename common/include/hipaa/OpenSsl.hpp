// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Move-only owners for OpenSSL handles (stateless deleters, no raw new/delete).
#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>

namespace hipaa {

template <auto Fn>
struct OsslDeleter {
    template <typename T>
    void operator()(T* p) const noexcept {
        Fn(p);
    }
};

using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslDeleter<&EVP_CIPHER_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<&EVP_MD_CTX_free>>;
using EvpMdPtr = std::unique_ptr<EVP_MD, OsslDeleter<&EVP_MD_free>>;
using EvpMacPtr = std::unique_ptr<EVP_MAC, OsslDeleter<&EVP_MAC_free>>;
using EvpMacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OsslDeleter<&EVP_MAC_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<&EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<&EVP_PKEY_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<&BIO_free_all>>;

// Throws CryptoError with OpenSSL's last error reason (never key material).
[[noreturn]] void throwOpenSsl(const char* what);

}  // namespace hipaa
