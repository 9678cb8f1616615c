// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writes a decrypted chat stream (stream kind 3) as JSON Lines, one line per kept item in the order it
// was kept: a message {"role":..,"sender":..,"sent_ms":..,"text":..}, a document
// {"bytes":..,"document":k,"mime":..,"role":..,"sender":..,"sent_ms":..,"sha256":..} (keys sorted,
// compact), whose content goes byte-identical into its own file `<documentPrefix><k>.<pdf|png|jpg>`
// (its SHA-256 checked first, KeptStreamReader). Every file is created with mode 0600 and must not
// exist yet; like an .mjr export it is plaintext ePHI, removed with the recording. The text is exactly
// the bytes the sender sent (a message that is not UTF-8 is exported as "text_base64" instead).
#include "UniqueFd.hpp"
#include "hipaa/Bytes.hpp"
#include "hipaa/KeptStreamReader.hpp"

#include <string>
#include <vector>

namespace hipaa::recorder {

class ChatExportWriter {
public:
    // `created` (optional) receives each document file's path before it is written, so a caller can
    // remove them when the export fails.
    explicit ChatExportWriter(const std::string& path, std::string documentPrefix = "",
                              std::vector<std::string>* created = nullptr);
    ~ChatExportWriter();  // wipes the buffered lines
    ChatExportWriter(const ChatExportWriter&) = delete;
    ChatExportWriter& operator=(const ChatExportWriter&) = delete;
    // One record of the chat stream; throws Error(kInternal) for a record that does not decode (and
    // for a document when no documentPrefix was given).
    void write(ByteView record);
    // fsyncs and closes; returns the number of messages written. A document cut off by the end of an
    // interrupted recording is not exported (nothing partial).
    uint64_t finish();
    uint64_t documents() const { return documents_; }

    static const char* extensionFor(const std::string& mime);  // "pdf", "png", "jpg" or "bin"

private:
    static constexpr size_t kFlushBytes = 1 << 16;
    void flush();
    void message(KeptMessage& m);
    void document(KeptDocument& d);

    UniqueFd fd_;
    std::string documentPrefix_;
    std::vector<std::string>* created_;
    uint64_t messages_ = 0, documents_ = 0;
    std::string buffer_;
    KeptStreamReader reader_;
};

}  // namespace hipaa::recorder
