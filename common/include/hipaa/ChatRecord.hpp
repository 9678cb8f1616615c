// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One kept chat message: the plaintext of one record of a recording's chat stream (stream kind 3,
// docs/recording-format.md). The room encodes it on its chat keeper's thread, the recorder seals it
// as it arrives and decodes it only for an export. It is ePHI: never logged, never in an event.
#include "hipaa/Bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace hipaa {

struct ChatRecord {
    static constexpr uint8_t kVersion = 1;
    static constexpr size_t kMaxRecord = 65535;  // a recording record's length limit

    std::string sender;   // the participant's pseudonym ("ps1_" + 32 hex), 1..255 bytes
    std::string role;     // "provider", "patient", ... (1..32 bytes)
    uint64_t sentMs = 0;  // when the room received it, Unix milliseconds
    std::string text;     // as the sender's data channel delivered it

    // u8 version || u8 S || sender || u8 R || role || u64 sentMs || text. Nullopt when a field is out
    // of range or the record would exceed kMaxRecord (the message is then not kept, and not relayed).
    std::optional<Bytes> encode() const;
    static std::optional<ChatRecord> decode(ByteView record);
    bool operator==(const ChatRecord&) const = default;
};

}  // namespace hipaa
