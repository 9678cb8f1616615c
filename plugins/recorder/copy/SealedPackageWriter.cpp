// SPDX-License-Identifier: GPL-3.0-or-later
#include "SealedPackageWriter.hpp"

#include "ByteOrder.hpp"
#include "UniqueFd.hpp"
#include "hipaa/Errors.hpp"

#include <algorithm>

namespace hipaa::recorder {

Bytes SealedPackageWriter::chunkAad(const Bytes& header, uint64_t index, uint32_t length) {
    Bytes aad = header;
    putU64(aad, index);
    putU32(aad, length);
    return aad;
}

Bytes SealedPackageWriter::chunkNonce(uint64_t index) {
    Bytes nonce(4, 0);
    putU64(nonce, index);
    return nonce;
}

SealedPackageWriter::SealedPackageWriter(int fd, const PackageHeader& header, const SecretBytes& key)
    : fd_(fd), header_(header.encode()), aead_(ByteView(key.data(), key.size())), chunkBytes_(header.chunkBytes) {
    pending_.reserve(chunkBytes_);
    writeAll(fd_, header_, "patient copy");
    written_ = header_.size();
}

void SealedPackageWriter::write(ByteView data) {
    if (finished_) throw Error(errc::kInternal, "patient copy already finished");
    while (!data.empty()) {
        // A full chunk is sealed only when more follows, so the last one can carry the final flag.
        if (pending_.size() == chunkBytes_) seal(false);
        size_t take = std::min<size_t>(data.size(), chunkBytes_ - pending_.size());
        pending_.insert(pending_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
        data = data.subspan(take);
    }
}

void SealedPackageWriter::finish() {
    if (finished_) return;
    seal(true);
    finished_ = true;
}

void SealedPackageWriter::seal(bool final) {
    uint32_t length = static_cast<uint32_t>(pending_.size()) | (final ? kFinal : 0);
    Bytes sealed =
        aead_.seal(chunkNonce(index_), chunkAad(header_, index_, length), ByteView(pending_.data(), pending_.size()));
    Bytes prefix;
    putU32(prefix, length);
    writeAll(fd_, prefix, "patient copy");
    writeAll(fd_, sealed, "patient copy");
    written_ += prefix.size() + sealed.size();
    ++index_;
    pending_.clear();
}

}  // namespace hipaa::recorder
