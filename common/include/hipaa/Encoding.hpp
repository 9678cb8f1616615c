// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "hipaa/Bytes.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace hipaa {

std::string hexEncode(ByteView data);
std::optional<Bytes> hexDecode(std::string_view text);
// RFC 4648 base64 with padding (SRTP keys, PEM bodies).
std::string base64Encode(ByteView data);
std::optional<Bytes> base64Decode(std::string_view text);
// RFC 4648 §5 base64url without padding (JWS). Rejects padding, whitespace and non-canonical tails.
std::string base64urlEncode(ByteView data);
std::optional<Bytes> base64urlDecode(std::string_view text);

// RFC 3986 percent-encoding: everything but unreserved characters (A-Z a-z 0-9 - . _ ~) becomes %XX.
// Safe for query values and application/x-www-form-urlencoded bodies.
std::string percentEncode(std::string_view text);

}  // namespace hipaa
