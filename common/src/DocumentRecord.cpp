// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/DocumentRecord.hpp"

#include <algorithm>

namespace hipaa {
namespace {

void put(Bytes& out, uint64_t v, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint64_t get(ByteView in, size_t& at, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | in[at++];
    return v;
}

bool text(ByteView in, size_t& at, size_t min, size_t max, std::string& out) {
    if (in.size() < at + 1) return false;
    const size_t n = in[at++];
    if (n < min || n > max || in.size() < at + n) return false;
    out.assign(reinterpret_cast<const char*>(in.data() + at), n);
    at += n;
    return true;
}

}  // namespace

std::optional<std::vector<Bytes>> DocumentRecord::encode(ByteView content) const {
    if (sender.empty() || sender.size() > 255 || role.empty() || role.size() > 32 || mime.empty() || mime.size() > 64 ||
        content.size() != size)
        return std::nullopt;
    std::vector<Bytes> out;
    Bytes start;
    start.push_back(kStartVersion);
    put(start, number, 4);
    start.push_back(static_cast<uint8_t>(sender.size()));
    start.insert(start.end(), sender.begin(), sender.end());
    start.push_back(static_cast<uint8_t>(role.size()));
    start.insert(start.end(), role.begin(), role.end());
    put(start, sentMs, 8);
    start.push_back(static_cast<uint8_t>(mime.size()));
    start.insert(start.end(), mime.begin(), mime.end());
    put(start, size, 8);
    start.insert(start.end(), sha256.begin(), sha256.end());
    out.push_back(std::move(start));
    for (size_t at = 0; at < content.size(); at += kMaxPart) {
        const size_t n = std::min(kMaxPart, content.size() - at);
        Bytes part;
        part.reserve(kPartHeader + n);
        part.push_back(kPartVersion);
        put(part, number, 4);
        put(part, at, 8);
        part.insert(part.end(), content.begin() + static_cast<std::ptrdiff_t>(at),
                    content.begin() + static_cast<std::ptrdiff_t>(at + n));
        out.push_back(std::move(part));
    }
    return out;
}

std::optional<DocumentRecord> DocumentRecord::decodeStart(ByteView record) {
    if (record.size() < 5 || record.size() > 65535 || record[0] != kStartVersion) return std::nullopt;
    DocumentRecord r;
    size_t at = 1;
    r.number = static_cast<uint32_t>(get(record, at, 4));
    if (!text(record, at, 1, 255, r.sender) || !text(record, at, 1, 32, r.role)) return std::nullopt;
    if (record.size() < at + 8) return std::nullopt;
    r.sentMs = get(record, at, 8);
    if (!text(record, at, 1, 64, r.mime)) return std::nullopt;
    if (record.size() != at + 8 + r.sha256.size()) return std::nullopt;
    r.size = get(record, at, 8);
    std::copy(record.begin() + static_cast<std::ptrdiff_t>(at), record.end(), r.sha256.begin());
    return r;
}

std::optional<DocumentRecord::Part> DocumentRecord::decodePart(ByteView record) {
    if (record.size() <= kPartHeader || record.size() > 65535 || record[0] != kPartVersion) return std::nullopt;
    Part p;
    size_t at = 1;
    p.number = static_cast<uint32_t>(get(record, at, 4));
    p.offset = get(record, at, 8);
    p.bytes = record.subspan(at);
    return p;
}

}  // namespace hipaa
