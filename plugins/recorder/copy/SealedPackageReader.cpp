// SPDX-License-Identifier: GPL-3.0-or-later
#include "SealedPackageReader.hpp"

#include "ByteOrder.hpp"
#include "SealedPackageWriter.hpp"
#include "hipaa/Errors.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hipaa::recorder {
namespace {

// Reads exactly `n` bytes unless the file ends first; returns how many were read.
size_t readFull(int fd, uint8_t* out, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = ::read(fd, out + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw Error(errc::kInternal, "cannot read the copy");
        if (r == 0) break;
        got += static_cast<size_t>(r);
    }
    return got;
}

[[noreturn]] void unauthentic() { throw Error(errc::kInvalidField, "the copy does not authenticate"); }

}  // namespace

SealedPackageReader::SealedPackageReader(int fd) : fd_(fd) {
    Bytes head(PackageHeader::kMaxSize);
    // The fixed part names the kind, and with it the header's length.
    size_t got = readFull(fd_, head.data(), 16);
    head.resize(got);
    size_t used = 0;
    if (got == 16) {
        size_t need = head[8] == static_cast<uint8_t>(PackageHeader::Kind::X25519) ? 48 : 41;
        head.resize(need);
        head.resize(16 + readFull(fd_, head.data() + 16, need - 16));
    }
    header_ = PackageHeader::parse(head, used);
    headerBytes_.assign(head.begin(), head.begin() + static_cast<long>(used));
}

void SealedPackageReader::setKey(const SecretBytes& key) { aead_.emplace(ByteView(key.data(), key.size())); }

bool SealedPackageReader::nextChunk() {
    if (final_) {
        uint8_t extra;
        if (readFull(fd_, &extra, 1) != 0) unauthentic();  // bytes after the final chunk
        return false;
    }
    uint8_t prefix[4];
    if (readFull(fd_, prefix, 4) != 4) unauthentic();  // truncated: the final chunk never came
    uint32_t field = getU32(prefix);
    uint32_t length = field & ~SealedPackageWriter::kFinal;
    if (length > header_.chunkBytes) unauthentic();
    Bytes sealed(length + AesGcm::kTagSize);
    if (readFull(fd_, sealed.data(), sealed.size()) != sealed.size()) unauthentic();
    auto plain = aead_->open(SealedPackageWriter::chunkNonce(index_),
                             SealedPackageWriter::chunkAad(headerBytes_, index_, field), sealed);
    if (!plain) unauthentic();
    chunk_.assign(plain->begin(), plain->end());
    if (!plain->empty()) std::memset(plain->data(), 0, plain->size());  // an empty final chunk has no buffer
    offset_ = 0;
    ++index_;
    final_ = (field & SealedPackageWriter::kFinal) != 0;
    return true;
}

size_t SealedPackageReader::read(uint8_t* out, size_t n) {
    if (!aead_) throw Error(errc::kInternal, "the copy's key was not set");
    size_t done = 0;
    while (done < n) {
        if (offset_ == chunk_.size() && !nextChunk()) break;
        size_t take = std::min(n - done, chunk_.size() - offset_);
        if (take == 0) continue;  // an empty final chunk: the next call ends the stream
        std::memcpy(out + done, chunk_.data() + offset_, take);
        offset_ += take;
        done += take;
    }
    return done;
}

}  // namespace hipaa::recorder
