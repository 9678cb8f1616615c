// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/JwsToken.hpp"

#include "hipaa/Encoding.hpp"

namespace hipaa {
namespace {

[[noreturn]] void malformed(const std::string& why) {
    throw JwsError(JwsError::Kind::Malformed, "malformed_token", "malformed token: " + why);
}

JsonPtr decodeObject(std::string_view part, const char* what) {
    if (part.empty()) malformed(std::string(what) + " is empty");
    auto raw = base64urlDecode(part);
    if (!raw) malformed(std::string(what) + " is not base64url");
    json_error_t err;
    // Duplicate keys are refused: two `sub` or `alg` values let parsers disagree about a token.
    JsonPtr j =
        jsonAdopt(json_loadb(reinterpret_cast<const char*>(raw->data()), raw->size(), JSON_REJECT_DUPLICATES, &err));
    if (!j) malformed(std::string(what) + " is not JSON");
    if (!json_is_object(j.get())) malformed(std::string(what) + " is not a JSON object");
    return j;
}

}  // namespace

JwsToken JwsToken::parse(std::string_view compact, size_t maxSize) {
    if (compact.size() > maxSize)
        throw JwsError(JwsError::Kind::TooLarge, "token_too_large",
                       "token larger than " + std::to_string(maxSize) + " bytes");
    auto d1 = compact.find('.');
    if (d1 == std::string_view::npos) malformed("not three parts");
    auto d2 = compact.find('.', d1 + 1);
    if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos)
        malformed("not three parts");

    JwsToken t;
    t.header_ = decodeObject(compact.substr(0, d1), "header");
    t.claims_ = decodeObject(compact.substr(d1 + 1, d2 - d1 - 1), "payload");
    std::string_view sig = compact.substr(d2 + 1);
    if (sig.empty()) malformed("no signature");
    auto sigBytes = base64urlDecode(sig);
    if (!sigBytes) malformed("signature is not base64url");
    t.signature_ = std::move(*sigBytes);

    const json_t* alg = json_object_get(t.header_.get(), "alg");
    if (!alg) throw JwsError(JwsError::Kind::Algorithm, "algorithm_refused", "token header has no alg");
    if (!json_is_string(alg)) malformed("alg is not a string");
    t.alg_ = json_string_value(alg);
    if (const json_t* kid = json_object_get(t.header_.get(), "kid")) {
        if (!json_is_string(kid)) malformed("kid is not a string");
        t.kid_ = json_string_value(kid);
    }
    // We implement no JWS extensions, so any critical one must be refused (RFC 7515 §4.1.11).
    if (json_object_get(t.header_.get(), "crit")) malformed("unsupported crit header");
    // Embedded keys or key URLs would let the token choose its own verification key.
    for (const char* k : {"jwk", "jku", "x5u", "x5c"})
        if (json_object_get(t.header_.get(), k)) malformed(std::string("header carries ") + k);
    t.signingInput_ = std::string(compact.substr(0, d2));
    return t;
}

bool JwsToken::audienceContains(const std::string& audience) const {
    const json_t* aud = json_object_get(claims_.get(), "aud");
    if (json_is_string(aud)) return audience == json_string_value(aud);
    if (!json_is_array(aud)) return false;
    size_t i;
    const json_t* v;
    json_array_foreach(aud, i, v) if (json_is_string(v) && audience == json_string_value(v)) return true;
    return false;
}

}  // namespace hipaa
