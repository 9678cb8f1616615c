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

#include <sstream>

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

}  // namespace

Bytes Keyring::x25519PublicFromPrivate(ByteView privateKey) {
    EvpPkeyPtr k = x25519Private(privateKey);
    return rawPublic(k.get());
}

void Keyring::add(uint32_t version, Type type, ByteView material) {
    if (material.size() != 32) throw ConfigError("keyring key must be 32 bytes");
    if (version == 0) throw ConfigError("keyring version must be at least 1");
    Key k{type, Bytes(material.begin(), material.end()), {}};
    if (type == Type::X25519Private) k.publicKey = x25519PublicFromPrivate(material);
    if (type == Type::X25519Public) {
        k.publicKey = k.material;
        EvpPkeyPtr check(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, material.data(), material.size()));
        if (!check) throw ConfigError("keyring: invalid X25519 public key");
    }
    if (!keys_.emplace(version, std::move(k)).second) throw ConfigError("keyring: duplicate version " + std::to_string(version));
}

Keyring Keyring::fromText(const std::string& text, const std::string& name) {
    Keyring ring;
    std::istringstream in(text);
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream fields(line);
        std::string ver, type, material, extra;
        if (!(fields >> ver)) continue;
        std::string where = name + " line " + std::to_string(lineNo);
        if (!(fields >> type >> material) || (fields >> extra)) throw ConfigError(where + ": expected '<version> <type> <hex key>'");
        uint32_t version = 0;
        try {
            size_t used = 0;
            unsigned long v = std::stoul(ver, &used);
            if (used != ver.size() || v == 0 || v > 0xffffffffUL) throw std::out_of_range("version");
            version = static_cast<uint32_t>(v);
        } catch (const std::exception&) {
            throw ConfigError(where + ": version must be an integer 1..4294967295");
        }
        Type t;
        if (type == "kek") t = Type::Kek;
        else if (type == "x25519") t = Type::X25519Public;
        else if (type == "x25519-private") t = Type::X25519Private;
        else throw ConfigError(where + ": type must be kek, x25519 or x25519-private");
        auto key = hexDecode(material);
        if (!key || key->size() != 32) throw ConfigError(where + ": key must be 64 hex digits");
        try {
            ring.add(version, t, *key);
        } catch (const ConfigError& e) {
            throw ConfigError(where + ": " + e.what());
        }
        OPENSSL_cleanse(key->data(), key->size());
    }
    if (ring.empty()) throw ConfigError(name + ": keyring holds no key");
    return ring;
}

Keyring Keyring::fromFile(const std::string& path) {
    Bytes raw = readSecretFile(path);
    std::string text(raw.begin(), raw.end());
    OPENSSL_cleanse(raw.data(), raw.size());
    Keyring ring = fromText(text, path);
    OPENSSL_cleanse(text.data(), text.size());
    return ring;
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

std::optional<Bytes> Keyring::unwrap(const KeySlot& slot, const Digest256& fixedHash) const {
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
    }
    if (key && key->size() != 32) return std::nullopt;
    return key;
}

}  // namespace hipaa::recorder
