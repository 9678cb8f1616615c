// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One token verification key: an asymmetric public key (ES256 / EdDSA / RS256) or an HS256 secret.
// The algorithm is fixed by the key itself, never by the token: a token naming another alg for this
// key is refused (the RS256/HS256 key-confusion attack).
#include "hipaa/Bytes.hpp"
#include "hipaa/OpenSsl.hpp"

#include <string>
#include <string_view>

namespace hipaa {

struct VerifyKey {
    std::string kid;
    std::string alg;           // "ES256", "EdDSA", "RS256", "HS256"
    std::string source;        // file it came from (for `info`; not secret)
    EvpPkeyPtr pkey;           // asymmetric keys
    Bytes secret;              // HS256 only
    bool development = false;  // the scripts' development key: refused unless general.development

    // Verifies a JWS signature over `signingInput`. ES256 takes JOSE's raw r||s (64 bytes) and
    // converts it to DER for OpenSSL. False for any mismatch; throws only on OpenSSL misuse.
    bool verify(std::string_view signingInput, ByteView signature) const;
};

}  // namespace hipaa
