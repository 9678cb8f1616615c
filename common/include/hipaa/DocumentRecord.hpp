// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One kept document in a recording's chat stream (stream kind 3, docs/recording-format.md "Document
// records"): a start record (version 2: sender, role, time, MIME type, size, SHA-256) followed by its
// parts (version 3: the content in order, each record at most ChatRecord::kMaxRecord bytes). The
// version byte tells them from a message record (version 1), so files kept before documents existed
// read unchanged. The room encodes on its chat keeper's thread; KeptStreamReader decodes. ePHI: never
// logged, never in an event.
#include "hipaa/Bytes.hpp"
#include "hipaa/Hash.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hipaa {

struct DocumentRecord {
    static constexpr uint8_t kStartVersion = 2, kPartVersion = 3;
    static constexpr size_t kPartHeader = 1 + 4 + 8;  // version, document number, offset
    static constexpr size_t kMaxPart = 65535 - kPartHeader;

    uint32_t number = 0;  // the document's number in its stream (0, 1, ...): its parts carry it
    std::string sender, role;
    uint64_t sentMs = 0;
    std::string mime;  // 1..64 bytes
    uint64_t size = 0;
    Digest256 sha256{};

    // The start record and the parts of `content` (whose size and SHA-256 must be the ones above).
    // Nullopt when a field is out of range (the document is then not kept, and not relayed).
    std::optional<std::vector<Bytes>> encode(ByteView content) const;

    // u8 2 || u32 number || u8 S || sender || u8 R || role || u64 sentMs || u8 M || mime || u64 size ||
    // sha256[32]
    static std::optional<DocumentRecord> decodeStart(ByteView record);
    struct Part {
        uint32_t number = 0;
        uint64_t offset = 0;
        ByteView bytes;  // into the record
    };
    // u8 3 || u32 number || u64 offset || bytes (at least 1)
    static std::optional<Part> decodePart(ByteView record);
};

}  // namespace hipaa
