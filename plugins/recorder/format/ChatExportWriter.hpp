// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writes a decrypted chat stream (stream kind 3) as JSON Lines, one message per line in the order it
// was kept: {"role":..,"sender":..,"sent_ms":..,"text":..} (keys sorted, compact). The file is created
// with mode 0600 and must not exist yet; like an .mjr export it is plaintext ePHI, removed with the
// recording. The text is exactly the bytes the sender sent (a message that is not UTF-8 is exported
// as "text_base64" instead, so the export never alters it).
#include "UniqueFd.hpp"
#include "hipaa/Bytes.hpp"

#include <string>

namespace hipaa::recorder {

class ChatExportWriter {
public:
    explicit ChatExportWriter(const std::string& path);
    ~ChatExportWriter();  // wipes the buffered lines
    ChatExportWriter(const ChatExportWriter&) = delete;
    ChatExportWriter& operator=(const ChatExportWriter&) = delete;
    // One record of the chat stream; throws Error(kInternal) for a record that does not decode.
    void write(ByteView record);
    // fsyncs and closes; returns the number of messages written.
    uint64_t finish();

private:
    static constexpr size_t kFlushBytes = 1 << 16;
    void flush();

    UniqueFd fd_;
    uint64_t messages_ = 0;
    std::string buffer_;
};

}  // namespace hipaa::recorder
