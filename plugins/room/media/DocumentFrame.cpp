// SPDX-License-Identifier: GPL-3.0-or-later
#include "DocumentFrame.hpp"

#include <algorithm>

namespace hipaa::room {
namespace {

constexpr size_t kHead = 9;  // magic, kind, transfer

uint32_t u32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
void put32(Bytes& out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

}  // namespace

bool DocumentFrame::looksLikeFrame(ByteView m) {
    return m.size() >= kMagic.size() && std::equal(kMagic.begin(), kMagic.end(), m.begin());
}

std::optional<DocumentFrame> DocumentFrame::parse(ByteView m) {
    if (m.size() < kHead || !looksLikeFrame(m)) return std::nullopt;
    DocumentFrame f;
    const uint8_t kind = m[4];
    f.transfer = u32(m.data() + 5);
    const uint8_t* body = m.data() + kHead;
    const size_t n = m.size() - kHead;
    switch (kind) {
        case 1:
            if (n != 9) return std::nullopt;
            f.kind = Kind::Start;
            f.type = body[0];
            f.size = (uint64_t{u32(body + 1)} << 32) | u32(body + 5);
            return f;
        case 2:
            if (n < 5 || n - 4 > kMaxChunk) return std::nullopt;
            f.kind = Kind::Chunk;
            f.index = u32(body);
            f.payload = ByteView(body + 4, n - 4);
            return f;
        case 3:
            if (n != 32) return std::nullopt;
            f.kind = Kind::End;
            std::copy(body, body + 32, f.sha256.begin());
            return f;
        case 4:
            if (n != 0) return std::nullopt;
            f.kind = Kind::Abort;
            return f;
        default:
            return std::nullopt;
    }
}

Bytes DocumentFrame::encode() const {
    Bytes out(kMagic.begin(), kMagic.end());
    out.push_back(static_cast<uint8_t>(kind));
    put32(out, transfer);
    switch (kind) {
        case Kind::Start:
            out.push_back(type);
            put32(out, static_cast<uint32_t>(size >> 32));
            put32(out, static_cast<uint32_t>(size));
            break;
        case Kind::Chunk:
            put32(out, index);
            out.insert(out.end(), payload.begin(), payload.end());
            break;
        case Kind::End:
            out.insert(out.end(), sha256.begin(), sha256.end());
            break;
        case Kind::Abort:
            break;
    }
    return out;
}

}  // namespace hipaa::room
