// SPDX-License-Identifier: GPL-3.0-or-later
#include "BearerFileAuth.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"

#include <openssl/crypto.h>

namespace hipaa::fhir {

BearerFileAuth::BearerFileAuth(const std::string& tokenFile) {
    Bytes raw = readSecretFile(tokenFile);
    std::string token(asChars(raw));
    OPENSSL_cleanse(raw.data(), raw.size());
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
    if (token.empty()) throw ConfigError(tokenFile + " is empty");
    for (char c : token)
        if (c < 0x21 || c > 0x7e) throw ConfigError(tokenFile + ": token has characters a header cannot carry");
    header_ = "Authorization: Bearer " + token;
    OPENSSL_cleanse(token.data(), token.size());
}

BearerFileAuth::~BearerFileAuth() { OPENSSL_cleanse(header_.data(), header_.size()); }

std::optional<std::string> BearerFileAuth::header(CurlEasy&) { return header_; }

}  // namespace hipaa::fhir
