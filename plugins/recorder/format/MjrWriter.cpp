// SPDX-License-Identifier: GPL-3.0-or-later
#include "MjrWriter.hpp"

#include "ByteOrder.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>

namespace hipaa::recorder {

MjrWriter::MjrWriter(const std::string& path, StreamKind kind, std::string codec, uint64_t createdUs)
    : kind_(kind), codec_(std::move(codec)), createdUs_(createdUs) {
    fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd_) throw Error(errc::kInternal, "cannot create export file");
}

MjrWriter::~MjrWriter() {
    buffer_.resize(buffer_.capacity());
    OPENSSL_cleanse(buffer_.data(), buffer_.size());
}

void MjrWriter::write(uint64_t arrivalUs, ByteView packet) {
    if (packets_ == 0) {
        // The info header goes in front of the first frame, as Janus' own recorder does.
        firstUs_ = arrivalUs;
        JsonPtr info = JsonBuilder()
                           .set("t", kind_ == StreamKind::Audio ? "a" : "v")
                           .set("c", codec_)
                           .set("s", static_cast<int64_t>(createdUs_))
                           .set("u", static_cast<int64_t>(arrivalUs))
                           .build();
        std::string text = jsonDump(info.get(), JSON_COMPACT | JSON_PRESERVE_ORDER);
        Bytes head = {'M', 'J', 'R', '0', '0', '0', '0', '2'};
        putU16(head, static_cast<uint16_t>(text.size()));
        head.insert(head.end(), text.begin(), text.end());
        buffer_.insert(buffer_.end(), head.begin(), head.end());
    }
    const uint8_t meet[4] = {'M', 'E', 'E', 'T'};
    buffer_.insert(buffer_.end(), meet, meet + 4);
    uint64_t rel = arrivalUs > firstUs_ ? (arrivalUs - firstUs_) / 1000 : 0;
    putU32(buffer_, static_cast<uint32_t>(rel));
    putU16(buffer_, static_cast<uint16_t>(packet.size()));
    buffer_.insert(buffer_.end(), packet.begin(), packet.end());
    if (buffer_.size() >= kFlushBytes) flush();
    ++packets_;
}

void MjrWriter::flush() {
    writeAll(fd_.get(), buffer_, "export frames");
    buffer_.clear();
}

uint64_t MjrWriter::finish() {
    if (fd_ && !buffer_.empty()) flush();
    if (fd_ && ::fsync(fd_.get()) != 0) throw Error(errc::kInternal, "fsync of export failed");
    fd_.reset();
    return packets_;
}

}  // namespace hipaa::recorder
