// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The participant pseudonym shared by the room plugin and the audit handler: the same key file in
// both configs gives the same pseudonym, so one person's trail can be found without ever storing who.
//   pseudonym = "ps1_" + hex(first 16 bytes of HMAC-SHA256(key, "hipaa-pseudonym/v1\0participant\0" + iss + "\0" +
//   sub))
#include "hipaa/Bytes.hpp"

#include <string>
#include <string_view>

namespace hipaa {

class Pseudonymizer {
public:
    static constexpr size_t kMinKeySize = 32;
    // Throws ConfigError if the key is shorter than 32 bytes.
    explicit Pseudonymizer(Bytes key);
    static Pseudonymizer fromKeyFile(const std::string& path);

    std::string participant(std::string_view iss, std::string_view sub) const;
    // Pseudonym of any other identifier (an opaque_id, a display name) under a domain label.
    std::string value(std::string_view domain, std::string_view value) const;

private:
    Bytes key_;
};

}  // namespace hipaa
