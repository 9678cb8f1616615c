// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The header of a sealed recording file (docs/recording-format.md). The "fixed" part is immutable for
// the life of the file and bound into every chunk; the key slot (key id, algorithm, wrapped data key)
// is replaced by `rewrap` and erased by crypto-shredding.
#include "hipaa/Bytes.hpp"
#include "hipaa/Hash.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace hipaa::recorder {

// Chat: one record per kept chat message (hipaa/ChatRecord.hpp), codec "chat".
enum class StreamKind : uint8_t { Audio = 1, Video = 2, Chat = 3 };
enum class WrapAlgorithm : uint8_t { None = 0, AesGcmKek = 1, X25519 = 2, RsaOaep = 3 };

using RecordingId = std::array<uint8_t, 16>;

inline constexpr std::array<uint8_t, 8> kRecordingMagic{'J', 'H', 'R', 'E', 'C', 0x00, 0x0D, 0x0A};
inline constexpr uint16_t kRecordingVersion = 1;
inline constexpr size_t kFixedHeaderMin = 76;
inline constexpr size_t kMaxWrappedKey = 1024;

struct KeySlot {
    uint32_t keyId = 0;
    WrapAlgorithm algorithm = WrapAlgorithm::None;
    Bytes wrapped;
};

struct RecordingHeader {
    RecordingId recordingId{};
    StreamKind kind = StreamKind::Audio;
    std::string codec;  // lowercase, e.g. "opus", "vp8" (1..32 chars)
    std::string mid;    // 0..32 chars
    uint32_t chunkSize = 0;
    uint64_t createdMs = 0;
    std::array<uint8_t, 32> fileSalt{};
    KeySlot slot;

    // Byte layout of the fixed part; throws Error(kInvalidField) for out-of-range fields.
    Bytes fixedBytes() const;
    Bytes slotBytes() const;
    Digest256 fixedHash() const { return sha256(fixedBytes()); }

    struct Parsed;
    // Parses a header at the start of `data`; nullopt with `error` set when malformed or truncated.
    static std::optional<Parsed> parse(ByteView data, std::string& error);
};

struct RecordingHeader::Parsed {
    RecordingHeader header;
    size_t fixedLength = 0;  // bytes of the fixed part
    size_t totalLength = 0;  // fixed part + key slot: the offset of the first chunk
};

std::string recordingIdHex(const RecordingId& id);
std::optional<RecordingId> recordingIdFromHex(std::string_view hex);

}  // namespace hipaa::recorder
