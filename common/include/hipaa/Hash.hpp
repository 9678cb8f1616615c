// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "hipaa/Bytes.hpp"

#include <array>
#include <cstdint>
#include <memory>

namespace hipaa {

using Digest256 = std::array<uint8_t, 32>;

Digest256 sha256(ByteView data);

// Incremental SHA-256 (file hashes, chained records).
class Sha256 {
public:
    Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;
    ~Sha256();
    void update(ByteView data);
    Digest256 finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// HMAC-SHA256 (EVP_MAC). Key must not be empty.
Digest256 hmacSha256(ByteView key, ByteView data);

}  // namespace hipaa
