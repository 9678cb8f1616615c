// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A compact JWS split and decoded, NOT verified: header and claims are attacker-controlled until
// a verifier (the room's TokenVerifier, ActorVerifier) has checked the signature. Parsing is strict (RFC 7515/7519):
// exactly three base64url parts without padding, JSON objects without duplicate keys, no `crit` extensions.
#include "hipaa/Bytes.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

#include <string>
#include <string_view>

namespace hipaa {

// A token refused before any key was looked at. Each verifier maps `kind` to its own error code;
// `reason` is the stable slug ("malformed_token", "token_too_large", "algorithm_refused").
class JwsError : public Error {
public:
    enum class Kind { Malformed, TooLarge, Algorithm };
    JwsError(Kind kind, std::string reason, const std::string& what)
        : Error(errc::kInvalidField, what), kind_(kind), reason_(std::move(reason)) {}
    Kind kind() const noexcept { return kind_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    Kind kind_;
    std::string reason_;
};

class JwsToken {
public:
    static constexpr size_t kDefaultMaxSize = 8192;

    // Throws JwsError (TooLarge, Malformed, Algorithm for a missing alg).
    static JwsToken parse(std::string_view compact, size_t maxSize = kDefaultMaxSize);

    const std::string& alg() const { return alg_; }
    const std::string& kid() const { return kid_; }  // empty when absent
    const json_t* header() const { return header_.get(); }
    const json_t* claims() const { return claims_.get(); }
    std::string_view signingInput() const { return signingInput_; }
    ByteView signature() const { return ByteView(signature_.data(), signature_.size()); }
    // `aud` (a string or an array of strings) names `audience`.
    bool audienceContains(const std::string& audience) const;

private:
    JwsToken() = default;
    std::string alg_, kid_, signingInput_;
    JsonPtr header_, claims_;
    Bytes signature_;
};

}  // namespace hipaa
