// SPDX-License-Identifier: GPL-3.0-or-later
#include "Keyring.hpp"

#include "ByteOrder.hpp"
#include "Hkdf.hpp"
#include "hipaa/AesGcm.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/OpenSsl.hpp"
#include "hipaa/SecretFile.hpp"
#include "hipaa/SecureRandom.hpp"

#include <openssl/crypto.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace hipaa::recorder {
namespace {

constexpr size_t kNonce = AesGcm::kNonceSize;

Bytes wrapAad(const Digest256& fixedHash, uint32_t keyId, WrapAlgorithm alg) {
    constexpr std::string_view kLabel = "janus-hipaa/recording/wrap/v1";
    Bytes a;
    a.reserve(kLabel.size() + 32 + 5);
    for (char c : kLabel) a.push_back(static_cast<uint8_t>(c));
    a.insert(a.end(), fixedHash.begin(), fixedHash.end());
    putU32(a, keyId);
    a.push_back(static_cast<uint8_t>(alg));
    return a;
}

EvpPkeyPtr x25519Private(ByteView priv) {
    EvpPkeyPtr k(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()));
    if (!k) throwOpenSsl("X25519 private key rejected");
    return k;
}

Bytes rawPublic(EVP_PKEY* k) {
    Bytes pub(32);
    size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(k, pub.data(), &len) != 1 || len != 32) throwOpenSsl("X25519 public key");
    return pub;
}

Bytes x25519Shared(EVP_PKEY* own, ByteView peerPublic) {
    EvpPkeyPtr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peerPublic.data(), peerPublic.size()));
    if (!peer) throwOpenSsl("X25519 public key rejected");
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(own, nullptr));
    Bytes shared(32);
    size_t len = shared.size();
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
        EVP_PKEY_derive(ctx.get(), shared.data(), &len) != 1 || len != 32)
        throwOpenSsl("X25519 key agreement failed");
    return shared;
}

Bytes x25519Kek(ByteView shared, ByteView ephPub, ByteView recipientPub) {
    Bytes salt(ephPub.begin(), ephPub.end());
    salt.insert(salt.end(), recipientPub.begin(), recipientPub.end());
    return hkdfSha256(shared, salt, asBytes("janus-hipaa/recording/x25519-wrap/v1"), 32);
}

EvpPkeyPtr rsaPublic(ByteView spki) {
    const unsigned char* p = spki.data();
    EvpPkeyPtr k(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
    if (!k || p != spki.data() + spki.size())
        throw ConfigError("keyring: invalid RSA public key (DER SubjectPublicKeyInfo)");
    return k;
}

EvpPkeyPtr rsaPrivate(ByteView pkcs8) {
    const unsigned char* p = pkcs8.data();
    EvpPkeyPtr k(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pkcs8.size())));
    if (!k || p != pkcs8.data() + pkcs8.size()) throw ConfigError("keyring: invalid RSA private key (DER PKCS#8)");
    return k;
}

void requireRsa(EVP_PKEY* k) {
    if (EVP_PKEY_base_id(k) != EVP_PKEY_RSA) throw ConfigError("keyring: rsa-oaep key is not an RSA key");
    if (EVP_PKEY_get_bits(k) < Keyring::kMinRsaBits) throw ConfigError("keyring: RSA key shorter than 2048 bits");
}

Bytes spkiOf(EVP_PKEY* k) {
    int n = i2d_PUBKEY(k, nullptr);
    if (n <= 0) throwOpenSsl("RSA public key encoding");
    Bytes out(static_cast<size_t>(n));
    unsigned char* p = out.data();
    i2d_PUBKEY(k, &p);
    return out;
}

// RSA-OAEP, SHA-256 for the hash and MGF1; the OAEP label carries the wrap AAD (binds the slot).
EvpPkeyCtxPtr oaepContext(EVP_PKEY* k, ByteView label, bool encrypt) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(k, nullptr));
    if (!ctx || (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1)
        throwOpenSsl("RSA-OAEP setup");
    auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
    if (!copy || EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), copy, static_cast<int>(label.size())) != 1) {
        OPENSSL_free(copy);
        throwOpenSsl("RSA-OAEP label");
    }
    return ctx;
}

}  // namespace

std::pair<Bytes, Bytes> Keyring::rsaGenerate(int bits) {
    if (bits < kMinRsaBits) throw CryptoError("RSA keys must have at least 2048 bits");
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
        EVP_PKEY_keygen(ctx.get(), &raw) != 1)
        throwOpenSsl("RSA key generation");
    EvpPkeyPtr k(raw);
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, OsslDeleter<&PKCS8_PRIV_KEY_INFO_free>> p8(EVP_PKEY2PKCS8(k.get()));
    int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr) : 0;
    if (n <= 0) throwOpenSsl("RSA private key encoding");
    Bytes priv(static_cast<size_t>(n));
    unsigned char* p = priv.data();
    i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p);
    return {std::move(priv), spkiOf(k.get())};
}

Bytes Keyring::x25519PublicFromPrivate(ByteView privateKey) {
    EvpPkeyPtr k = x25519Private(privateKey);
    return rawPublic(k.get());
}

void Keyring::add(uint32_t version, Type type, ByteView material) {
    if (version == 0) throw ConfigError("keyring version must be at least 1");
    Key k{type, SecretBytes(material.begin(), material.end()), {}};
    if (type == Type::RsaOaepPublic || type == Type::RsaOaepPrivate) {
        EvpPkeyPtr key = type == Type::RsaOaepPublic ? rsaPublic(material) : rsaPrivate(material);
        requireRsa(key.get());
        k.publicKey = spkiOf(key.get());
        if (!keys_.emplace(version, std::move(k)).second)
            throw ConfigError("keyring: duplicate version " + std::to_string(version));
        return;
    }
    if (material.size() != 32) throw ConfigError("keyring key must be 32 bytes");
    if (type == Type::X25519Private) k.publicKey = x25519PublicFromPrivate(material);
    if (type == Type::X25519Public) {
        k.publicKey.assign(k.material.begin(), k.material.end());
        EvpPkeyPtr check(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, material.data(), material.size()));
        if (!check) throw ConfigError("keyring: invalid X25519 public key");
    }
    if (!keys_.emplace(version, std::move(k)).second)
        throw ConfigError("keyring: duplicate version " + std::to_string(version));
}

namespace {

// The next whitespace-separated field of `line` (empty when none is left); no copy.
std::string_view nextField(std::string_view& line) {
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos) {
        line = {};
        return {};
    }
    size_t end = line.find_first_of(" \t\r", start);
    std::string_view field = line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    line.remove_prefix(end == std::string_view::npos ? line.size() : end);
    return field;
}

}  // namespace

Keyring Keyring::fromText(std::string_view text, const std::string& name) {
    // Fields are views into `text` (which the caller wipes); decoded keys live in SecretBytes only.
    Keyring ring;
    int lineNo = 0;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++lineNo;
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        std::string_view ver = nextField(line);
        if (ver.empty()) continue;
        std::string where = name + " line " + std::to_string(lineNo);
        std::string_view type = nextField(line);
        std::string_view material = nextField(line);
        if (material.empty() || !nextField(line).empty())
            throw ConfigError(where + ": expected '<version> <type> <hex key>'");
        uint64_t v = 0;
        for (char c : ver)
            v = c >= '0' && c <= '9' && v <= 0xffffffffULL ? v * 10 + static_cast<uint64_t>(c - '0') : UINT64_MAX;
        if (v == 0 || v > 0xffffffffULL) throw ConfigError(where + ": version must be an integer 1..4294967295");
        const auto version = static_cast<uint32_t>(v);
        Type t;
        if (type == "kek")
            t = Type::Kek;
        else if (type == "x25519")
            t = Type::X25519Public;
        else if (type == "x25519-private")
            t = Type::X25519Private;
        else if (type == "rsa-oaep")
            t = Type::RsaOaepPublic;
        else if (type == "rsa-oaep-private")
            t = Type::RsaOaepPrivate;
        else
            throw ConfigError(where + ": type must be kek, x25519, x25519-private, rsa-oaep or rsa-oaep-private");
        bool rsa = t == Type::RsaOaepPublic || t == Type::RsaOaepPrivate;
        std::optional<Bytes> decoded = hexDecode(material);
        SecretBytes key;
        if (decoded) {
            key.assign(decoded->begin(), decoded->end());
            zeroize(decoded->data(), decoded->size());
        }
        if (!decoded || (!rsa && key.size() != 32)) throw ConfigError(where + ": key must be 64 hex digits");
        if (rsa && (key.empty() || key.size() > 8192)) throw ConfigError(where + ": key must be hex DER");
        try {
            ring.add(version, t, key);
        } catch (const ConfigError& e) {
            throw ConfigError(where + ": " + e.what());
        }
    }
    if (ring.empty()) throw ConfigError(name + ": keyring holds no key");
    return ring;
}

Keyring Keyring::fromFile(const std::string& path) {
    Bytes raw = readSecretFile(path);
    try {
        Keyring ring = fromText(asChars(raw), path);
        zeroize(raw.data(), raw.size());
        return ring;
    } catch (...) {
        zeroize(raw.data(), raw.size());
        throw;
    }
}

uint32_t Keyring::newest() const {
    if (keys_.empty()) throw CryptoError("keyring is empty");
    return keys_.rbegin()->first;
}

const Keyring::Key* Keyring::find(uint32_t version) const {
    auto it = keys_.find(version);
    return it == keys_.end() ? nullptr : &it->second;
}

KeySlot Keyring::wrap(ByteView dataKey, const Digest256& fixedHash, std::optional<uint32_t> version) const {
    uint32_t v = version.value_or(newest());
    const Key* k = find(v);
    if (!k) throw CryptoError("unknown key version " + std::to_string(v));
    KeySlot slot;
    slot.keyId = v;
    if (k->type == Type::Kek) {
        slot.algorithm = WrapAlgorithm::AesGcmKek;
        Bytes nonce = secureRandomBytes(kNonce);
        Bytes sealed = AesGcm(k->material).seal(nonce, wrapAad(fixedHash, v, slot.algorithm), dataKey);
        slot.wrapped = nonce;
        slot.wrapped.insert(slot.wrapped.end(), sealed.begin(), sealed.end());
        return slot;
    }
    if (k->type == Type::RsaOaepPublic || k->type == Type::RsaOaepPrivate) {
        slot.algorithm = WrapAlgorithm::RsaOaep;
        EvpPkeyPtr pub = rsaPublic(k->publicKey);
        EvpPkeyCtxPtr ctx = oaepContext(pub.get(), wrapAad(fixedHash, v, slot.algorithm), true);
        size_t len = 0;
        if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, dataKey.data(), dataKey.size()) != 1)
            throwOpenSsl("RSA-OAEP wrap");
        slot.wrapped.resize(len);
        if (EVP_PKEY_encrypt(ctx.get(), slot.wrapped.data(), &len, dataKey.data(), dataKey.size()) != 1)
            throwOpenSsl("RSA-OAEP wrap");
        slot.wrapped.resize(len);
        return slot;
    }
    slot.algorithm = WrapAlgorithm::X25519;
    Bytes ephSeed = secureRandomBytes(32);
    EvpPkeyPtr eph = x25519Private(ephSeed);
    OPENSSL_cleanse(ephSeed.data(), ephSeed.size());
    Bytes ephPub = rawPublic(eph.get());
    Bytes shared = x25519Shared(eph.get(), k->publicKey);
    Bytes kek = x25519Kek(shared, ephPub, k->publicKey);
    Bytes nonce = secureRandomBytes(kNonce);
    Bytes sealed = AesGcm(kek).seal(nonce, wrapAad(fixedHash, v, slot.algorithm), dataKey);
    OPENSSL_cleanse(shared.data(), shared.size());
    OPENSSL_cleanse(kek.data(), kek.size());
    slot.wrapped = ephPub;
    slot.wrapped.insert(slot.wrapped.end(), nonce.begin(), nonce.end());
    slot.wrapped.insert(slot.wrapped.end(), sealed.begin(), sealed.end());
    return slot;
}

std::optional<SecretBytes> Keyring::unwrap(const KeySlot& slot, const Digest256& fixedHash) const {
    const Key* k = find(slot.keyId);
    if (!k) return std::nullopt;
    ByteView w = slot.wrapped;
    Bytes aad = wrapAad(fixedHash, slot.keyId, slot.algorithm);
    std::optional<Bytes> key;
    if (slot.algorithm == WrapAlgorithm::AesGcmKek && k->type == Type::Kek) {
        if (w.size() != kNonce + 32 + AesGcm::kTagSize) return std::nullopt;
        key = AesGcm(k->material).open(w.first(kNonce), aad, w.subspan(kNonce));
    } else if (slot.algorithm == WrapAlgorithm::X25519 && k->type == Type::X25519Private) {
        if (w.size() != 32 + kNonce + 32 + AesGcm::kTagSize) return std::nullopt;
        EvpPkeyPtr own = x25519Private(k->material);
        Bytes shared;
        try {
            shared = x25519Shared(own.get(), w.first(32));
        } catch (const CryptoError&) {
            return std::nullopt;  // a flipped ephemeral key may be a low-order point
        }
        Bytes kek = x25519Kek(shared, w.first(32), k->publicKey);
        key = AesGcm(kek).open(w.subspan(32, kNonce), aad, w.subspan(32 + kNonce));
        OPENSSL_cleanse(shared.data(), shared.size());
        OPENSSL_cleanse(kek.data(), kek.size());
    } else if (slot.algorithm == WrapAlgorithm::RsaOaep && k->type == Type::RsaOaepPrivate) {
        EvpPkeyPtr own = rsaPrivate(k->material);
        if (w.size() != static_cast<size_t>(EVP_PKEY_get_size(own.get()))) return std::nullopt;
        EvpPkeyCtxPtr ctx = oaepContext(own.get(), aad, false);
        Bytes out(w.size());
        size_t len = out.size();
        if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, w.data(), w.size()) != 1) {
            OPENSSL_cleanse(out.data(), out.size());
            return std::nullopt;  // wrong key, flipped byte or another slot's label
        }
        key.emplace(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(len));
        OPENSSL_cleanse(out.data(), out.size());
    }
    if (!key) return std::nullopt;
    SecretBytes result(key->begin(), key->end());
    OPENSSL_cleanse(key->data(), key->size());
    if (result.size() != 32) return std::nullopt;
    return result;
}

}  // namespace hipaa::recorder
