// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "hipaa/Bytes.hpp"

namespace hipaa::recorder {

// HKDF-SHA256 (RFC 5869) through OpenSSL's EVP_KDF; throws CryptoError on failure.
Bytes hkdfSha256(ByteView ikm, ByteView salt, ByteView info, size_t length);

}  // namespace hipaa::recorder
