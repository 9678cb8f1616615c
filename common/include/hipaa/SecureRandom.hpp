// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "hipaa/Bytes.hpp"

#include <cstdint>
#include <span>

namespace hipaa {

// CSPRNG (OpenSSL RAND_bytes). Throws CryptoError if the generator is not seeded.
void secureRandom(std::span<uint8_t> out);
Bytes secureRandomBytes(size_t n);
uint64_t secureRandomU64();

}  // namespace hipaa
