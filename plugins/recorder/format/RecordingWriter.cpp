// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingWriter.hpp"

#include "ByteOrder.hpp"
#include "WriteError.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include <chrono>
#include <filesystem>

namespace hipaa::recorder {

RecordingWriter::RecordingWriter(const std::string& path, RecordingHeader header, ByteView dataKey,
                                 const Keyring& keyring)
    : path_(path), header_(std::move(header)) {
    if (header_.chunkSize == 0) throw Error(errc::kInvalidField, "chunk size must be positive");
    secureRandom(header_.fileSalt);
    header_.createdMs = static_cast<uint64_t>(Clock::wallMs());
    Bytes fixed = header_.fixedBytes();
    header_.slot = keyring.wrap(dataKey, sha256(fixed));
    sealer_.emplace(dataKey, header_);
    fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd_) throw Error(errc::kInternal, "cannot create recording file");
    Bytes head = fixed;
    Bytes slot = header_.slotBytes();
    head.insert(head.end(), slot.begin(), slot.end());
    writeAll(fd_.get(), head, "recording header");
    hash_.update(head);
    summary_.file = std::filesystem::path(path).filename().string();
    summary_.bytes = head.size();
    // Never reallocated (a packet is at most 65535 bytes past the chunk size): no stale plaintext copies.
    const size_t capacity = header_.chunkSize + 65536 + 64;
    buffer_.reserve(capacity);
    sealed_.reserve(4 + capacity + AesGcm::kTagSize);
}

RecordingWriter::~RecordingWriter() {
    // An unfinished writer (error path) leaves its sealed chunks: the reader reports the missing end.
    // Unsealed plaintext is wiped, not written.
    wipeBuffer();
}

void RecordingWriter::wipeBuffer() {
    OPENSSL_cleanse(buffer_.data(), buffer_.size());
    buffer_.clear();
    bufferedPackets_ = 0;
}

bool RecordingWriter::append(uint64_t arrivalUs, ByteView packet) {
    if (finished_ || error_ || packet.size() > 0xffff) return false;
    putU64(buffer_, arrivalUs);
    putU16(buffer_, static_cast<uint16_t>(packet.size()));
    buffer_.insert(buffer_.end(), packet.begin(), packet.end());
    ++bufferedPackets_;
    if (buffer_.size() >= header_.chunkSize) sealChunk(false);
    return true;
}

void RecordingWriter::flush() {
    if (!finished_ && !error_ && !buffer_.empty()) sealChunk(false);
}

void RecordingWriter::sealChunk(bool last) {
    // Sealed into its own buffer: if the write fails, buffer_ still holds the plaintext (wiped by
    // fail()), never a ciphertext that a second seal under the same counter would decrypt again.
    const size_t n = buffer_.size() + AesGcm::kTagSize;
    sealed_.resize(4 + n);
    sealed_[0] = static_cast<uint8_t>(n >> 24);
    sealed_[1] = static_cast<uint8_t>(n >> 16);
    sealed_[2] = static_cast<uint8_t>(n >> 8);
    sealed_[3] = static_cast<uint8_t>(n);
    sealer_->sealTo(counter_, last, buffer_, sealed_.data() + 4);
    try {
        // One write per chunk: a crash tears at most the last chunk, which the reader then reports.
        writeAll(fd_.get(), sealed_, "recording chunk");
    } catch (const WriteError& e) {
        fail(e.errnum());
        throw;
    }
    hash_.update(sealed_);
    summary_.bytes += sealed_.size();
    summary_.packets += bufferedPackets_;
    ++summary_.chunks;
    ++counter_;
    wipeBuffer();
}

void RecordingWriter::fail(int errnum) {
    error_ = errnum ? errnum : EIO;
    wipeBuffer();
    sealed_.clear();
    // A short write may have left part of the chunk: cut the file back to its last complete chunk
    // (shrinking works on a full disk). Retried by finish() if it fails now.
    truncated_ = ::ftruncate(fd_.get(), static_cast<off_t>(summary_.bytes)) == 0;
}

FileSummary RecordingWriter::finish() {
    if (finished_) throw Error(errc::kInternal, "recording already finished");
    if (!error_) {
        try {
            sealChunk(true);
        } catch (const WriteError&) {
            // fail() ran: the file keeps its authentic prefix
        }
    }
    finished_ = true;
    if (!truncated_) truncated_ = ::ftruncate(fd_.get(), static_cast<off_t>(summary_.bytes)) == 0;
    // After a failed fsync the kernel may have dropped the dirty pages: the chunks are not known to
    // be on disk, so the file does not count as complete.
    if (::fsync(fd_.get()) != 0 && !error_) error_ = errno ? errno : EIO;
    fd_.reset();
    summary_.sha256 = hash_.finish();
    summary_.complete = error_ == 0;
    summary_.error = error_;
    return summary_;
}

}  // namespace hipaa::recorder
