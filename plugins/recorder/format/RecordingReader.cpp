// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingReader.hpp"

#include "ByteOrder.hpp"
#include "ChunkSealer.hpp"
#include "UniqueFd.hpp"
#include "hipaa/AesGcm.hpp"
#include "hipaa/Errors.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>

#include <cerrno>
#include <cstring>

namespace hipaa::recorder {

class RecordingReader::Source {
public:
    virtual ~Source() = default;
    // Copies up to `n` bytes into `dst`; fewer only at the end of the file.
    virtual size_t read(uint8_t* dst, size_t n) = 0;
};

namespace {

class MemorySource final : public RecordingReader::Source {
public:
    explicit MemorySource(ByteView data) : data_(data) {}
    size_t read(uint8_t* dst, size_t n) override {
        n = std::min(n, data_.size() - pos_);
        if (n) std::memcpy(dst, data_.data() + pos_, n);
        pos_ += n;
        return n;
    }

private:
    ByteView data_;
    size_t pos_ = 0;
};

class FileSource final : public RecordingReader::Source {
public:
    explicit FileSource(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (!fd_) throw Error(errc::kInternal, "cannot open recording file");
        ::posix_fadvise(fd_.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    size_t read(uint8_t* dst, size_t n) override {
        size_t done = 0;
        while (done < n) {
            ssize_t got = ::read(fd_.get(), dst + done, n - done);
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) throw Error(errc::kInternal, "cannot read recording file");
            if (got == 0) break;
            done += static_cast<size_t>(got);
        }
        return done;
    }

private:
    UniqueFd fd_;
};

// The file's bytes in order, each hashed exactly once, with the header's surplus handed back first.
class Input {
public:
    explicit Input(RecordingReader::Source& src) : src_(src) {}
    // Replaces `out` with the next `n` bytes (fewer at the end of the file); returns how many.
    size_t take(Bytes& out, size_t n) {
        out.resize(n);
        size_t got = std::min(n, carry_.size() - carryPos_);
        if (got) std::memcpy(out.data(), carry_.data() + carryPos_, got);
        carryPos_ += got;
        if (got < n) {
            size_t fresh = src_.read(out.data() + got, n - got);
            hash_.update(ByteView(out.data() + got, fresh));
            total_ += fresh;
            got += fresh;
        }
        out.resize(got);
        return got;
    }
    // Bytes read past what has been consumed (the header read ahead of the first chunk).
    void giveBack(ByteView surplus) {
        carry_.assign(surplus.begin(), surplus.end());
        carryPos_ = 0;
    }
    // Hashes the rest of the file (reported damage stops parsing, never the file's hash).
    void finish(ReadReport& r) {
        Bytes buf(1 << 16);
        while (size_t got = src_.read(buf.data(), buf.size())) {
            hash_.update(ByteView(buf.data(), got));
            total_ += got;
        }
        r.fileBytes = total_;
        r.sha256 = hash_.finish();
    }

private:
    RecordingReader::Source& src_;
    Sha256 hash_;
    uint64_t total_ = 0;
    Bytes carry_;
    size_t carryPos_ = 0;
};

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

// Parses header and chunks from `in` into `r`; returns when done or at the first problem.
void walk(Input& in, const Keyring* keyring, ByteView dataKey, const RecordingReader::PacketSink& sink, ReadReport& r) {
    Bytes head;
    in.take(head, RecordingReader::kMaxHeaderBytes);
    auto parsed = RecordingHeader::parse(head, r.damage);
    if (!parsed) return;
    in.giveBack(ByteView(head).subspan(parsed->totalLength));
    r.headerValid = true;
    r.header = parsed->header;
    Digest256 fixedHash = sha256(ByteView(head).first(parsed->fixedLength));
    SecretBytes key;  // wiped when freed
    if (keyring) {
        if (r.header.slot.algorithm == WrapAlgorithm::None) {
            r.damage = "data key destroyed (crypto-shredded)";
            return;
        }
        auto k = keyring->unwrap(r.header.slot, fixedHash);
        if (!k) {
            const Keyring::Key* known = keyring->find(r.header.slot.keyId);
            std::string version = std::to_string(r.header.slot.keyId);
            r.keyUnavailable = !known || Keyring::publicOnly(known->type);
            if (!known)
                r.damage = "key version " + version + " not in keyring";
            else if (Keyring::publicOnly(known->type))
                r.damage = "key version " + version + " is a recipient public key: decrypt with its private key";
            else
                r.damage = "key slot does not authenticate (wrong key or tampered header)";
            return;
        }
        key = std::move(*k);
    } else {
        key.assign(dataKey.begin(), dataKey.end());
    }
    if (key.size() != AesGcm::kKeySize) {
        r.damage = "bad data key size";
        return;
    }
    r.keyValid = true;
    ChunkSealer sealer(key, r.header);
    OPENSSL_cleanse(key.data(), key.size());

    uint64_t off = parsed->totalLength;
    r.verifiedBytes = off;
    const size_t maxSealed = size_t{r.header.chunkSize} + 65535 + 10 + AesGcm::kTagSize;
    Bytes lenBytes, sealed;
    for (uint64_t counter = 0;; ++counter) {
        size_t got = in.take(lenBytes, 4);
        if (got == 0) {
            r.damage =
                "final chunk missing after chunk " + std::to_string(r.chunks) + " (truncated or crashed recording)";
            return;
        }
        if (got < 4) {
            r.damage = "torn chunk length at byte " + std::to_string(off);
            return;
        }
        size_t len = getU32(lenBytes.data());
        if (len < AesGcm::kTagSize || len > maxSealed) {
            r.damage = "invalid chunk length at chunk " + std::to_string(counter);
            return;
        }
        if (in.take(sealed, len) < len) {
            r.damage = "torn chunk " + std::to_string(counter) + " (truncated or crashed recording)";
            return;
        }
        bool last = false;
        auto plain = sealer.open(counter, false, sealed);
        if (!plain) {
            plain = sealer.open(counter, true, sealed);
            last = true;
        }
        if (!plain) {
            r.damage =
                "chunk " + std::to_string(counter) + " does not authenticate (tampered, reordered or missing chunk)";
            return;
        }
        uint64_t packets = 0;
        if (!parseRecords(*plain, sink, packets)) {
            r.damage = "chunk " + std::to_string(counter) + " holds malformed records";
            return;
        }
        r.packets += packets;
        ++r.chunks;
        off += 4 + len;
        r.verifiedBytes = off;
        if (last) {
            if (in.take(lenBytes, 1) != 0) {
                r.damage = "data after the final chunk";
                return;
            }
            r.complete = true;
            return;
        }
    }
}

}  // namespace

ReadReport RecordingReader::read(ByteView file, const Keyring& keyring, const PacketSink& sink) {
    MemorySource src(file);
    return run(src, &keyring, {}, sink);
}

ReadReport RecordingReader::readFile(const std::string& path, const Keyring& keyring, const PacketSink& sink) {
    FileSource src(path);
    return run(src, &keyring, {}, sink);
}

ReadReport RecordingReader::readWithKey(ByteView file, ByteView dataKey, const PacketSink& sink) {
    MemorySource src(file);
    return run(src, nullptr, dataKey, sink);
}

ReadReport RecordingReader::run(Source& file, const Keyring* keyring, ByteView dataKey, const PacketSink& sink) {
    ReadReport r;
    Input in(file);
    walk(in, keyring, dataKey, sink, r);
    in.finish(r);
    return r;
}

}  // namespace hipaa::recorder
