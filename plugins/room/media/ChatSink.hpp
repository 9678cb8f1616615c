// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The seam between the relay's data channel path and chat retention (class `chat = "record"`): the
// relay offers each chat message to the room's sink before relaying it, on Janus' media thread, and
// relays it only if the sink took it (a kept chat has no message that was seen but not kept). An
// implementation must never block and never throw; it copies and hands off to its own thread.
#include <cstddef>
#include <cstdint>
#include <string>

namespace hipaa::room {

// Who sent a message: fixed for a publication (MediaRelay::publish), PHI-free.
struct ChatSpeaker {
    std::string room;               // set by the relay (MediaRelay::publish)
    std::string pseudonym;          // the participant's pseudonym
    std::string role;               // "provider", "patient", ...
    bool kept = false;              // the room's class keeps chat: no sink (or a full one) means not relayed
    bool shareDocument = false;     // the class lets this role share documents (`share_document`)
    uint64_t documentMaxBytes = 0;  // the class' `document_max_bytes`
    bool documentsKept = false;     // `documents = "record"`: a document is relayed only once sealed
};

class ChatSink {
public:
    virtual ~ChatSink() = default;
    // True when the message will be kept (queued for sealing); false: refused (queue full, too large,
    // or the sink is stopping), and the relay drops the message.
    virtual bool keep(const ChatSpeaker& from, const uint8_t* data, size_t length, int64_t nowUs) noexcept = 0;
};

}  // namespace hipaa::room
