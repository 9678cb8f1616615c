// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A document as a sender's data channel carries it (docs/room.md, "Documents"): start, chunks, end
// with the SHA-256; and a PDF of a given size whose bytes say so (signature and trailer).
#include "DocumentFrame.hpp"
#include "DocumentType.hpp"

#include "hipaa/Hash.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace hipaa::test {

inline Bytes pdfOf(size_t n) {
    std::string s = "%PDF-1.4\nCANARY-DOC ";
    while (s.size() + 7 < n) s += static_cast<char>('a' + s.size() % 26);
    s += "\n%%EOF\n";
    return Bytes(s.begin(), s.end());
}

inline std::vector<Bytes> documentFrames(uint32_t id, room::DocumentType t, const Bytes& content,
                                         size_t chunk = room::DocumentFrame::kMaxChunk) {
    using room::DocumentFrame;
    DocumentFrame s;
    s.kind = DocumentFrame::Kind::Start;
    s.transfer = id;
    s.type = static_cast<uint8_t>(t);
    s.size = content.size();
    std::vector<Bytes> out{s.encode()};
    uint32_t index = 0;
    for (size_t at = 0; at < content.size(); at += chunk) {
        DocumentFrame c;
        c.kind = DocumentFrame::Kind::Chunk;
        c.transfer = id;
        c.index = index++;
        c.payload = ByteView(content.data() + at, std::min(chunk, content.size() - at));
        out.push_back(c.encode());
    }
    DocumentFrame e;
    e.kind = DocumentFrame::Kind::End;
    e.transfer = id;
    e.sha256 = sha256(content);
    out.push_back(e.encode());
    return out;
}

}  // namespace hipaa::test
