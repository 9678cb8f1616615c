// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The chunked framing of a document shared in a visit: binary data channel messages (docs/room.md,
// "Documents"), all integers big-endian:
//   "JHD1" | u8 kind | u32 transfer | body
//   start (1): u8 type (1 PDF, 2 PNG, 3 JPEG) | u64 size
//   chunk (2): u32 index (0, 1, ... consecutive) | 1..kMaxChunk bytes of content
//   end   (3): 32 bytes SHA-256 of the whole content
//   abort (4): nothing
// No file name, no other metadata: what a room relays or keeps is the content and its type.
#include "hipaa/Bytes.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace hipaa::room {

struct DocumentFrame {
    enum class Kind : uint8_t { Start = 1, Chunk = 2, End = 3, Abort = 4 };
    static constexpr std::array<uint8_t, 4> kMagic{'J', 'H', 'D', '1'};
    static constexpr size_t kMaxChunk = 16384;

    Kind kind = Kind::Start;
    uint32_t transfer = 0;
    uint8_t type = 0;                  // start
    uint64_t size = 0;                 // start
    uint32_t index = 0;                // chunk
    ByteView payload;                  // chunk: a view into the parsed message
    std::array<uint8_t, 32> sha256{};  // end

    // Nullopt when the message is not a well-formed frame (wrong magic, kind, length).
    static std::optional<DocumentFrame> parse(ByteView message);
    // True when the message starts like a document frame (the relay routes it to the documents path).
    static bool looksLikeFrame(ByteView message);
    Bytes encode() const;
};

}  // namespace hipaa::room
