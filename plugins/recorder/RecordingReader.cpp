#include "RecordingReader.hpp"

#include "ByteOrder.hpp"
#include "ChunkSealer.hpp"
#include "UniqueFd.hpp"
#include "hipaa/AesGcm.hpp"

#include <openssl/crypto.h>

namespace hipaa::recorder {
namespace {

// Splits a chunk's plaintext into records; false when the records do not fill it exactly.
bool parseRecords(ByteView plain, const RecordingReader::PacketSink& sink, uint64_t& packets) {
    size_t off = 0;
    while (off < plain.size()) {
        if (plain.size() - off < 10) return false;
        uint64_t t = getU64(plain.data() + off);
        size_t len = getU16(plain.data() + off + 8);
        off += 10;
        if (plain.size() - off < len) return false;
        if (sink) sink(t, plain.subspan(off, len));
        off += len;
        ++packets;
    }
    return true;
}

}  // namespace

ReadReport RecordingReader::read(ByteView file, const Keyring& keyring, const PacketSink& sink) {
    return run(file, &keyring, {}, sink);
}

ReadReport RecordingReader::readFile(const std::string& path, const Keyring& keyring, const PacketSink& sink) {
    Bytes data = readWholeFile(path);
    return run(data, &keyring, {}, sink);
}

ReadReport RecordingReader::readWithKey(ByteView file, ByteView dataKey, const PacketSink& sink) {
    return run(file, nullptr, dataKey, sink);
}

ReadReport RecordingReader::run(ByteView file, const Keyring* keyring, ByteView dataKey, const PacketSink& sink) {
    ReadReport r;
    r.fileBytes = file.size();
    r.sha256 = sha256(file);
    auto parsed = RecordingHeader::parse(file, r.damage);
    if (!parsed) return r;
    r.headerValid = true;
    r.header = parsed->header;
    Digest256 fixedHash = sha256(file.first(parsed->fixedLength));
    SecretBytes key;  // wiped when freed
    if (keyring) {
        if (r.header.slot.algorithm == WrapAlgorithm::None) {
            r.damage = "data key destroyed (crypto-shredded)";
            return r;
        }
        auto k = keyring->unwrap(r.header.slot, fixedHash);
        if (!k) {
            const Keyring::Key* known = keyring->find(r.header.slot.keyId);
            std::string version = std::to_string(r.header.slot.keyId);
            r.keyUnavailable = !known || Keyring::publicOnly(known->type);
            if (!known) r.damage = "key version " + version + " not in keyring";
            else if (Keyring::publicOnly(known->type))
                r.damage = "key version " + version + " is a recipient public key: decrypt with its private key";
            else r.damage = "key slot does not authenticate (wrong key or tampered header)";
            return r;
        }
        key = std::move(*k);
    } else {
        key.assign(dataKey.begin(), dataKey.end());
    }
    if (key.size() != AesGcm::kKeySize) {
        r.damage = "bad data key size";
        return r;
    }
    r.keyValid = true;
    ChunkSealer sealer(key, r.header);
    OPENSSL_cleanse(key.data(), key.size());

    size_t off = parsed->totalLength;
    r.verifiedBytes = off;
    const size_t maxSealed = size_t{r.header.chunkSize} + 65535 + 10 + AesGcm::kTagSize;
    for (uint64_t counter = 0;; ++counter) {
        if (off == file.size()) {
            r.damage = "final chunk missing after chunk " + std::to_string(r.chunks) + " (truncated or crashed recording)";
            return r;
        }
        if (file.size() - off < 4) {
            r.damage = "torn chunk length at byte " + std::to_string(off);
            return r;
        }
        size_t len = getU32(file.data() + off);
        if (len < AesGcm::kTagSize || len > maxSealed) {
            r.damage = "invalid chunk length at chunk " + std::to_string(counter);
            return r;
        }
        if (file.size() - off - 4 < len) {
            r.damage = "torn chunk " + std::to_string(counter) + " (truncated or crashed recording)";
            return r;
        }
        ByteView sealed = file.subspan(off + 4, len);
        bool last = false;
        auto plain = sealer.open(counter, false, sealed);
        if (!plain) {
            plain = sealer.open(counter, true, sealed);
            last = true;
        }
        if (!plain) {
            r.damage = "chunk " + std::to_string(counter) + " does not authenticate (tampered, reordered or missing chunk)";
            return r;
        }
        uint64_t packets = 0;
        if (!parseRecords(*plain, sink, packets)) {
            r.damage = "chunk " + std::to_string(counter) + " holds malformed records";
            return r;
        }
        r.packets += packets;
        ++r.chunks;
        off += 4 + len;
        r.verifiedBytes = off;
        if (last) {
            if (off != file.size()) {
                r.damage = "data after the final chunk";
                return r;
            }
            r.complete = true;
            return r;
        }
    }
}

}  // namespace hipaa::recorder
