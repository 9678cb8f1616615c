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
    buffer_.reserve(header_.chunkSize + 1024);
}

RecordingWriter::~RecordingWriter() {
    // An unfinished writer (error path) leaves its sealed chunks: the reader reports the missing end.
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
    Bytes sealed = sealer_->seal(counter_, last, buffer_);
    Bytes frame;
    frame.reserve(sealed.size() + 4);
    putU32(frame, static_cast<uint32_t>(sealed.size()));
    frame.insert(frame.end(), sealed.begin(), sealed.end());
    writeAll(fd_.get(), frame, "recording chunk");  // one write: a crash never splits a length from its chunk's start
    hash_.update(frame);
    summary_.bytes += frame.size();
    ++counter_;
    ++summary_.chunks;
    std::fill(buffer_.begin(), buffer_.end(), uint8_t{0});
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
