// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace hipaa {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView asBytes(std::string_view s) noexcept { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
inline std::string_view asChars(ByteView b) noexcept { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

}  // namespace hipaa
