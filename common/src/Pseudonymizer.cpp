// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Pseudonymizer.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/SecretFile.hpp"

#include <openssl/crypto.h>

namespace hipaa {

Pseudonymizer::Pseudonymizer(Bytes key) : key_(std::move(key)) {
    if (key_.size() < kMinKeySize) throw ConfigError("pseudonym key must be at least 32 bytes");
}

Pseudonymizer Pseudonymizer::fromKeyFile(const std::string& path) { return Pseudonymizer(readSecretKeyFile(path, 32)); }

std::string Pseudonymizer::value(std::string_view domain, std::string_view v) const {
    std::string msg = "hipaa-pseudonym/v1";
    msg.push_back('\0');
    msg.append(domain);
    msg.push_back('\0');
    msg.append(v);
    Digest256 mac = hmacSha256(key_, asBytes(msg));
    OPENSSL_cleanse(msg.data(), msg.size());
    return "ps1_" + hexEncode(ByteView(mac.data(), 16));
}

std::string Pseudonymizer::participant(std::string_view iss, std::string_view sub) const {
    std::string joined(iss);
    joined.push_back('\0');
    joined.append(sub);
    std::string out = value("participant", joined);
    OPENSSL_cleanse(joined.data(), joined.size());
    return out;
}

}  // namespace hipaa
