// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChatExportWriter.hpp"

#include "hipaa/ChatRecord.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>

namespace hipaa::recorder {

ChatExportWriter::ChatExportWriter(const std::string& path) {
    fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd_) throw Error(errc::kInternal, "cannot create export file");
}

ChatExportWriter::~ChatExportWriter() {
    buffer_.resize(buffer_.capacity());
    OPENSSL_cleanse(buffer_.data(), buffer_.size());
}

void ChatExportWriter::write(ByteView record) {
    std::optional<ChatRecord> m = ChatRecord::decode(record);
    if (!m) throw Error(errc::kInternal, "a chat record does not decode");
    JsonBuilder line;
    line.set("sender", m->sender).set("role", m->role).set("sent_ms", static_cast<int64_t>(m->sentMs));
    // jansson refuses strings that are not UTF-8: such a message is kept byte for byte in base64.
    JsonPtr probe = jsonAdopt(json_stringn(m->text.data(), m->text.size()));
    if (probe)
        line.set("text", m->text);
    else
        line.set("text_base64", base64Encode(asBytes(m->text)));
    JsonPtr j = std::move(line).build();
    jsonDumpCanonical(j.get(), buffer_);
    buffer_.push_back('\n');
    OPENSSL_cleanse(m->text.data(), m->text.size());
    ++messages_;
    if (buffer_.size() >= kFlushBytes) flush();
}

void ChatExportWriter::flush() {
    writeAll(fd_.get(), asBytes(buffer_), "chat export");
    OPENSSL_cleanse(buffer_.data(), buffer_.size());
    buffer_.clear();
}

uint64_t ChatExportWriter::finish() {
    if (fd_ && !buffer_.empty()) flush();
    if (fd_ && ::fsync(fd_.get()) != 0) throw Error(errc::kInternal, "fsync of export failed");
    fd_.reset();
    return messages_;
}

}  // namespace hipaa::recorder
