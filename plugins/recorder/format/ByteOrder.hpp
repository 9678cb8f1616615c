// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Big-endian field helpers for the recording format.
#include "hipaa/Bytes.hpp"

#include <cstdint>

namespace hipaa::recorder {

inline void putU16(Bytes& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}
inline void putU32(Bytes& out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
inline void putU64(Bytes& out, uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
inline uint16_t getU16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t getU32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t getU64(const uint8_t* p) { return (uint64_t{getU32(p)} << 32) | getU32(p + 4); }

}  // namespace hipaa::recorder
