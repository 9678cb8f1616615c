// SPDX-License-Identifier: GPL-3.0-or-later
#include "PackageHeader.hpp"

#include "ByteOrder.hpp"
#include "Hkdf.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/OpenSsl.hpp"
#include "hipaa/SecureRandom.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>

namespace hipaa::recorder {
namespace {

using EvpKdfPtr = std::unique_ptr<EVP_KDF, OsslDeleter<&EVP_KDF_free>>;
using EvpKdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OsslDeleter<&EVP_KDF_CTX_free>>;

// Bounds a reader accepts: a header from anyone must not make the tool allocate gigabytes.
constexpr uint8_t kMaxLog2N = 20;
constexpr uint32_t kMaxR = 32, kMaxP = 16;

Bytes rawPublic(EVP_PKEY* k) {
    Bytes pub(32);
    size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(k, pub.data(), &len) != 1 || len != 32) throwOpenSsl("X25519 public key");
    return pub;
}

SecretBytes derive(EVP_PKEY* own, ByteView peerPublic, ByteView ephPub, ByteView recipientPub) {
    if (peerPublic.size() != 32) throw CryptoError("X25519 public key must be 32 bytes");
    EvpPkeyPtr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peerPublic.data(), peerPublic.size()));
    if (!peer) throwOpenSsl("X25519 public key rejected");
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(own, nullptr));
    SecretBytes shared(32);
    size_t len = shared.size();
    // OpenSSL refuses the all-zero result (a low-order public key).
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
        EVP_PKEY_derive(ctx.get(), shared.data(), &len) != 1 || len != 32)
        throwOpenSsl("X25519 key agreement failed");
    Bytes salt(ephPub.begin(), ephPub.end());
    salt.insert(salt.end(), recipientPub.begin(), recipientPub.end());
    Bytes key = hkdfSha256(ByteView(shared.data(), shared.size()), salt, asBytes(PackageHeader::kInfo), 32);
    SecretBytes out(key.begin(), key.end());
    zeroize(key.data(), key.size());
    return out;
}

SecretBytes scryptKey(std::string_view passphrase, ByteView salt, const ScryptParams& p) {
    EvpKdfPtr kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
    if (!kdf) throwOpenSsl("scrypt unavailable");
    EvpKdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx) throwOpenSsl("scrypt context");
    uint64_t n = uint64_t{1} << p.log2N;
    uint32_t r = p.r, par = p.p;
    uint64_t maxmem = 1ull << 31;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(passphrase.data()),
                                          passphrase.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()), salt.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end()};
    SecretBytes key(32);
    if (EVP_KDF_derive(ctx.get(), key.data(), key.size(), params) != 1) throwOpenSsl("scrypt failed");
    return key;
}

void checkScrypt(const ScryptParams& p) {
    if (p.log2N < 10 || p.log2N > kMaxLog2N || p.r < 1 || p.r > kMaxR || p.p < 1 || p.p > kMaxP)
        throw Error(errc::kInvalidField, "scrypt parameters out of bounds");
}

}  // namespace

std::pair<PackageHeader, SecretBytes> PackageHeader::forX25519(ByteView recipientPublic, uint32_t chunk) {
    EvpPkeyCtxPtr gen(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!gen || EVP_PKEY_keygen_init(gen.get()) != 1 || EVP_PKEY_keygen(gen.get(), &raw) != 1)
        throwOpenSsl("X25519 key generation failed");
    EvpPkeyPtr eph(raw);
    PackageHeader h;
    h.kind = Kind::X25519;
    h.chunkBytes = chunk;
    h.ephemeralPublic = rawPublic(eph.get());
    SecretBytes key = derive(eph.get(), recipientPublic, h.ephemeralPublic, recipientPublic);
    return {std::move(h), std::move(key)};
}

std::pair<PackageHeader, SecretBytes> PackageHeader::forPassphrase(std::string_view passphrase, ScryptParams params,
                                                                   uint32_t chunk) {
    if (passphrase.empty()) throw Error(errc::kInvalidField, "the passphrase must not be empty");
    checkScrypt(params);
    PackageHeader h;
    h.kind = Kind::Passphrase;
    h.chunkBytes = chunk;
    h.scrypt = params;
    h.salt = secureRandomBytes(16);
    SecretBytes key = scryptKey(passphrase, h.salt, params);
    return {std::move(h), std::move(key)};
}

Bytes PackageHeader::encode() const {
    Bytes out(kMagic.begin(), kMagic.end());
    out.push_back(static_cast<uint8_t>(kind));
    out.insert(out.end(), 3, 0);
    putU32(out, chunkBytes);
    if (kind == Kind::X25519) {
        out.insert(out.end(), ephemeralPublic.begin(), ephemeralPublic.end());
    } else {
        out.push_back(scrypt.log2N);
        putU32(out, scrypt.r);
        putU32(out, scrypt.p);
        out.insert(out.end(), salt.begin(), salt.end());
    }
    return out;
}

PackageHeader PackageHeader::parse(ByteView data, size_t& used) {
    if (data.size() < 16 || asChars(data.first(8)) != kMagic)
        throw Error(errc::kInvalidField, "not a patient copy (magic)");
    PackageHeader h;
    uint8_t kind = data[8];
    if (data[9] || data[10] || data[11]) throw Error(errc::kInvalidField, "unsupported header flags");
    h.chunkBytes = getU32(data.data() + 12);
    if (h.chunkBytes == 0 || h.chunkBytes > kMaxChunk) throw Error(errc::kInvalidField, "chunk size out of bounds");
    if (kind == static_cast<uint8_t>(Kind::X25519)) {
        if (data.size() < 48) throw Error(errc::kInvalidField, "truncated header");
        h.kind = Kind::X25519;
        h.ephemeralPublic.assign(data.begin() + 16, data.begin() + 48);
        used = 48;
    } else if (kind == static_cast<uint8_t>(Kind::Passphrase)) {
        if (data.size() < 41) throw Error(errc::kInvalidField, "truncated header");
        h.kind = Kind::Passphrase;
        h.scrypt.log2N = data[16];
        h.scrypt.r = getU32(data.data() + 17);
        h.scrypt.p = getU32(data.data() + 21);
        checkScrypt(h.scrypt);
        h.salt.assign(data.begin() + 25, data.begin() + 41);
        used = 41;
    } else {
        throw Error(errc::kInvalidField, "unknown recipient kind");
    }
    return h;
}

SecretBytes PackageHeader::keyFromPrivate(ByteView x25519Private) const {
    if (kind != Kind::X25519) throw CryptoError("this copy opens with a passphrase, not a private key");
    EvpPkeyPtr own(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, x25519Private.data(), x25519Private.size()));
    if (!own) throwOpenSsl("X25519 private key rejected");
    Bytes ownPublic = rawPublic(own.get());
    return derive(own.get(), ephemeralPublic, ephemeralPublic, ownPublic);
}

SecretBytes PackageHeader::keyFromPassphrase(std::string_view passphrase) const {
    if (kind != Kind::Passphrase) throw CryptoError("this copy opens with a private key, not a passphrase");
    return scryptKey(passphrase, salt, scrypt);
}

}  // namespace hipaa::recorder
