// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingHeader.hpp"

#include "ByteOrder.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <algorithm>

namespace hipaa::recorder {
namespace {

bool validCodec(const std::string& c) {
    return !c.empty() && c.size() <= 32 && std::all_of(c.begin(), c.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    });
}
bool validMid(const std::string& m) {
    return m.size() <= 32 && std::all_of(m.begin(), m.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; });
}

}  // namespace

Bytes RecordingHeader::fixedBytes() const {
    if (!validCodec(codec)) throw Error(errc::kInvalidField, "codec must be 1-32 lowercase letters or digits");
    if (!validMid(mid)) throw Error(errc::kInvalidField, "mid must be at most 32 printable characters");
    if (kind != StreamKind::Audio && kind != StreamKind::Video && kind != StreamKind::Chat)
        throw Error(errc::kInvalidField, "bad stream kind");
    if ((kind == StreamKind::Chat) != (codec == "chat"))
        throw Error(errc::kInvalidField, "the codec \"chat\" is the chat stream's, and only its");
    Bytes out(kRecordingMagic.begin(), kRecordingMagic.end());
    putU16(out, kRecordingVersion);
    putU16(out, static_cast<uint16_t>(kFixedHeaderMin + codec.size() + mid.size()));
    out.insert(out.end(), recordingId.begin(), recordingId.end());
    out.push_back(static_cast<uint8_t>(kind));
    out.push_back(static_cast<uint8_t>(codec.size()));
    out.push_back(static_cast<uint8_t>(mid.size()));
    out.push_back(0);  // reserved
    putU32(out, chunkSize);
    putU64(out, createdMs);
    out.insert(out.end(), fileSalt.begin(), fileSalt.end());
    out.insert(out.end(), codec.begin(), codec.end());
    out.insert(out.end(), mid.begin(), mid.end());
    return out;
}

Bytes RecordingHeader::slotBytes() const {
    if (slot.wrapped.size() > kMaxWrappedKey) throw Error(errc::kInvalidField, "wrapped key too large");
    Bytes out;
    putU32(out, slot.keyId);
    out.push_back(static_cast<uint8_t>(slot.algorithm));
    putU16(out, static_cast<uint16_t>(slot.wrapped.size()));
    out.insert(out.end(), slot.wrapped.begin(), slot.wrapped.end());
    return out;
}

std::optional<RecordingHeader::Parsed> RecordingHeader::parse(ByteView data, std::string& error) {
    if (data.size() < kFixedHeaderMin) return error = "truncated header", std::nullopt;
    const uint8_t* p = data.data();
    if (!std::equal(kRecordingMagic.begin(), kRecordingMagic.end(), p))
        return error = "not a recording (bad magic)", std::nullopt;
    if (getU16(p + 8) != kRecordingVersion) return error = "unsupported format version", std::nullopt;
    Parsed r;
    RecordingHeader& h = r.header;
    size_t fixedLen = getU16(p + 10);
    std::copy(p + 12, p + 28, h.recordingId.begin());
    uint8_t kind = p[28], codecLen = p[29], midLen = p[30];
    if (kind < 1 || kind > 3) return error = "bad stream kind", std::nullopt;
    if (p[31] != 0) return error = "reserved byte not zero", std::nullopt;
    if (fixedLen != kFixedHeaderMin + codecLen + midLen) return error = "inconsistent header length", std::nullopt;
    if (data.size() < fixedLen + 7) return error = "truncated header", std::nullopt;
    h.kind = static_cast<StreamKind>(kind);
    h.chunkSize = getU32(p + 32);
    h.createdMs = getU64(p + 36);
    std::copy(p + 44, p + 76, h.fileSalt.begin());
    h.codec.assign(reinterpret_cast<const char*>(p + 76), codecLen);
    h.mid.assign(reinterpret_cast<const char*>(p + 76 + codecLen), midLen);
    if (!validCodec(h.codec) || !validMid(h.mid)) return error = "bad codec or mid", std::nullopt;
    // The rule fixedBytes() enforces when writing: a file that breaks it is refused here, not later.
    if ((h.kind == StreamKind::Chat) != (h.codec == "chat"))
        return error = "the codec \"chat\" is the chat stream's, and only its", std::nullopt;
    if (h.chunkSize == 0 || h.chunkSize > (16u << 20)) return error = "bad chunk size", std::nullopt;
    const uint8_t* s = p + fixedLen;
    h.slot.keyId = getU32(s);
    uint8_t alg = s[4];
    if (alg > 3) return error = "unknown key wrap algorithm", std::nullopt;
    h.slot.algorithm = static_cast<WrapAlgorithm>(alg);
    size_t wlen = getU16(s + 5);
    if (wlen > kMaxWrappedKey) return error = "wrapped key too large", std::nullopt;
    if (data.size() < fixedLen + 7 + wlen) return error = "truncated header", std::nullopt;
    h.slot.wrapped.assign(s + 7, s + 7 + wlen);
    r.fixedLength = fixedLen;
    r.totalLength = fixedLen + 7 + wlen;
    return r;
}

std::string recordingIdHex(const RecordingId& id) { return hexEncode(id); }

std::optional<RecordingId> recordingIdFromHex(std::string_view hex) {
    if (hex.size() != 32) return std::nullopt;
    auto b = hexDecode(hex);
    if (!b || b->size() != 16) return std::nullopt;
    RecordingId id{};
    std::copy(b->begin(), b->end(), id.begin());
    return id;
}

}  // namespace hipaa::recorder
