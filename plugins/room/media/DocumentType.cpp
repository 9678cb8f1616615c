// SPDX-License-Identifier: GPL-3.0-or-later
#include "DocumentType.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace hipaa::room {
namespace {

constexpr std::array<uint8_t, 5> kPdf{'%', 'P', 'D', 'F', '-'};
constexpr std::array<uint8_t, 8> kPng{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr std::array<uint8_t, 3> kJpeg{0xff, 0xd8, 0xff};
// PNG ends with the IEND chunk: length 0, "IEND", its CRC.
constexpr std::array<uint8_t, 12> kPngEnd{0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};

template <size_t N>
bool startsWith(ByteView b, const std::array<uint8_t, N>& sig) {
    return b.size() >= N && std::equal(sig.begin(), sig.end(), b.begin());
}

// A PDF's last "%%EOF" may be followed by line ends (and writers pad a little): look at the tail.
bool pdfTrailer(ByteView b) {
    constexpr std::string_view eof = "%%EOF";
    const size_t tail = std::min<size_t>(b.size(), 1024);
    std::string_view t(reinterpret_cast<const char*>(b.data() + b.size() - tail), tail);
    return t.find(eof) != std::string_view::npos;
}

}  // namespace

std::optional<DocumentType> DocumentTypes::fromCode(uint8_t code) {
    if (code < 1 || code > 3) return std::nullopt;
    return static_cast<DocumentType>(code);
}

const char* DocumentTypes::mime(DocumentType t) {
    switch (t) {
        case DocumentType::Pdf:
            return "application/pdf";
        case DocumentType::Png:
            return "image/png";
        case DocumentType::Jpeg:
            return "image/jpeg";
    }
    return "application/octet-stream";
}

std::optional<DocumentType> DocumentTypes::sniff(ByteView b) {
    if (startsWith(b, kPdf)) return DocumentType::Pdf;
    if (startsWith(b, kPng)) return DocumentType::Png;
    if (startsWith(b, kJpeg)) return DocumentType::Jpeg;
    return std::nullopt;
}

bool DocumentTypes::matches(DocumentType t, ByteView b) {
    if (sniff(b) != t) return false;
    switch (t) {
        case DocumentType::Pdf:
            return pdfTrailer(b);
        case DocumentType::Png:
            return b.size() >= kPng.size() + kPngEnd.size() &&
                   std::equal(kPngEnd.begin(), kPngEnd.end(), b.end() - static_cast<long>(kPngEnd.size()));
        case DocumentType::Jpeg:
            return b.size() >= 5 && b[b.size() - 2] == 0xff && b[b.size() - 1] == 0xd9;
    }
    return false;
}

}  // namespace hipaa::room
