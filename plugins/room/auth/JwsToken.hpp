// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A compact JWS split and decoded, NOT verified: header and claims are attacker-controlled until
// TokenVerifier has checked the signature. Parsing is strict (RFC 7515/7519): exactly three
// base64url parts without padding, JSON objects without duplicate keys, no `crit` extensions.
#include "hipaa/Bytes.hpp"
#include "hipaa/Json.hpp"

#include <string>
#include <string_view>

namespace hipaa::room {

class JwsToken {
public:
    static constexpr size_t kDefaultMaxSize = 8192;

    // Throws TokenError (kTokenTooLarge, kTokenMalformed, kTokenAlgorithm for a missing alg).
    static JwsToken parse(std::string_view compact, size_t maxSize = kDefaultMaxSize);

    const std::string& alg() const { return alg_; }
    const std::string& kid() const { return kid_; }  // empty when absent
    const json_t* header() const { return header_.get(); }
    const json_t* claims() const { return claims_.get(); }
    std::string_view signingInput() const { return signingInput_; }
    ByteView signature() const { return ByteView(signature_.data(), signature_.size()); }

private:
    JwsToken() = default;
    std::string alg_, kid_, signingInput_;
    JsonPtr header_, claims_;
    Bytes signature_;
};

}  // namespace hipaa::room
