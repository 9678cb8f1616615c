// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChatExportWriter.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>

namespace hipaa::recorder {

ChatExportWriter::ChatExportWriter(const std::string& path, std::string documentPrefix,
                                   std::vector<std::string>* created)
    : documentPrefix_(std::move(documentPrefix)),
      created_(created),
      reader_([this](KeptMessage& m) { message(m); }, [this](KeptDocument& d) { document(d); }) {
    fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd_) throw Error(errc::kInternal, "cannot create export file");
}

ChatExportWriter::~ChatExportWriter() {
    buffer_.resize(buffer_.capacity());
    OPENSSL_cleanse(buffer_.data(), buffer_.size());
}

const char* ChatExportWriter::extensionFor(const std::string& mime) {
    if (mime == "application/pdf") return "pdf";
    if (mime == "image/png") return "png";
    if (mime == "image/jpeg") return "jpg";
    return "bin";
}

void ChatExportWriter::write(ByteView record) {
    reader_.take(record);
    if (buffer_.size() >= kFlushBytes) flush();
}

void ChatExportWriter::message(KeptMessage& m) {
    JsonBuilder line;
    line.set("sender", m.sender).set("role", m.role).set("sent_ms", static_cast<int64_t>(m.sentMs));
    // jansson refuses strings that are not UTF-8: such a message is kept byte for byte in base64.
    JsonPtr probe = jsonAdopt(json_stringn(m.text.data(), m.text.size()));
    if (probe)
        line.set("text", m.text);
    else
        line.set("text_base64", base64Encode(asBytes(m.text)));
    JsonPtr j = std::move(line).build();
    jsonDumpCanonical(j.get(), buffer_);
    buffer_.push_back('\n');
    ++messages_;
}

void ChatExportWriter::document(KeptDocument& d) {
    if (documentPrefix_.empty()) throw Error(errc::kInternal, "a kept document with nowhere to export it");
    const uint64_t k = documents_++;
    const std::string path = documentPrefix_ + std::to_string(k) + "." + extensionFor(d.mime);
    {
        UniqueFd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!out) throw Error(errc::kInternal, "cannot create document export file");
        if (created_) created_->push_back(path);
        writeAll(out.get(), d.content, "document export");
        if (::fsync(out.get()) != 0) throw Error(errc::kInternal, "fsync of document export failed");
    }
    JsonPtr j = JsonBuilder()
                    .set("document", static_cast<int64_t>(k))
                    .set("sender", d.sender)
                    .set("role", d.role)
                    .set("sent_ms", static_cast<int64_t>(d.sentMs))
                    .set("mime", d.mime)
                    .set("bytes", static_cast<int64_t>(d.content.size()))
                    .set("sha256", hexEncode(d.sha256))
                    .build();
    jsonDumpCanonical(j.get(), buffer_);
    buffer_.push_back('\n');
}

void ChatExportWriter::flush() {
    writeAll(fd_.get(), asBytes(buffer_), "chat export");
    OPENSSL_cleanse(buffer_.data(), buffer_.size());
    buffer_.clear();
}

uint64_t ChatExportWriter::finish() {
    reader_.finish();
    if (fd_ && !buffer_.empty()) flush();
    if (fd_ && ::fsync(fd_.get()) != 0) throw Error(errc::kInternal, "fsync of export failed");
    fd_.reset();
    return messages_;
}

}  // namespace hipaa::recorder
