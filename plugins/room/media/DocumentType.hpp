// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The document types a visit may share (PDF, PNG, JPEG), told by their bytes, never by a name: the
// start must carry the type's signature and the end its trailer, so a renamed executable or a
// truncated image is refused.
#include "hipaa/Bytes.hpp"

#include <cstdint>
#include <optional>

namespace hipaa::room {

enum class DocumentType : uint8_t { Pdf = 1, Png = 2, Jpeg = 3 };

class DocumentTypes {
public:
    static std::optional<DocumentType> fromCode(uint8_t code);
    static const char* mime(DocumentType t);  // "application/pdf", "image/png", "image/jpeg"
    // The whole content is of type `t`: its signature at the start and its trailer at the end.
    static bool matches(DocumentType t, ByteView content);
    // What the content's first bytes say it is (nullopt: none of the three).
    static std::optional<DocumentType> sniff(ByteView content);
};

}  // namespace hipaa::room
