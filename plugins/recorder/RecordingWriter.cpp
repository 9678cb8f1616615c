#include "RecordingWriter.hpp"

#include "ByteOrder.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

namespace hipaa::recorder {

RecordingWriter::RecordingWriter(const std::string& path, RecordingHeader header, ByteView dataKey,
                                 const Keyring& keyring)
    : path_(path), header_(std::move(header)) {
    if (header_.chunkSize == 0) throw Error(errc::kInvalidField, "chunk size must be positive");
    secureRandom(header_.fileSalt);
    header_.createdMs = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count());
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
    buffer_.reserve(header_.chunkSize + 65536 + 64);  // never reallocates: no stale plaintext copies
}

RecordingWriter::~RecordingWriter() {
    // An unfinished writer (error path) leaves its sealed chunks: the reader reports the missing end.
    // Unsealed plaintext is wiped, not written.
    std::fill(buffer_.begin(), buffer_.end(), uint8_t{0});
}

bool RecordingWriter::append(uint64_t arrivalUs, ByteView packet) {
    if (finished_ || packet.size() > 0xffff) return false;
    putU64(buffer_, arrivalUs);
    putU16(buffer_, static_cast<uint16_t>(packet.size()));
    buffer_.insert(buffer_.end(), packet.begin(), packet.end());
    ++summary_.packets;
    if (buffer_.size() >= header_.chunkSize) sealChunk(false);
    return true;
}

void RecordingWriter::flush() {
    if (!finished_ && !buffer_.empty()) sealChunk(false);
}

void RecordingWriter::sealChunk(bool last) {
    sealer_->sealInPlace(counter_, last, buffer_);  // buffer_ now holds ciphertext || tag
    uint8_t len[4] = {static_cast<uint8_t>(buffer_.size() >> 24), static_cast<uint8_t>(buffer_.size() >> 16),
                      static_cast<uint8_t>(buffer_.size() >> 8), static_cast<uint8_t>(buffer_.size())};
    // One writev per chunk: a crash tears at most the last chunk, which the reader then reports.
    writeAllv(fd_.get(), ByteView(len, 4), buffer_, "recording chunk");
    hash_.update(ByteView(len, 4));
    hash_.update(buffer_);
    summary_.bytes += 4 + buffer_.size();
    ++counter_;
    ++summary_.chunks;
    buffer_.clear();
}

FileSummary RecordingWriter::finish() {
    if (finished_) throw Error(errc::kInternal, "recording already finished");
    sealChunk(true);
    finished_ = true;
    if (::fsync(fd_.get()) != 0) throw Error(errc::kInternal, "fsync of recording failed");
    fd_.reset();
    summary_.sha256 = hash_.finish();
    return summary_;
}

}  // namespace hipaa::recorder
