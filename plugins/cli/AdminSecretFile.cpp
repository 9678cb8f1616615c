// SPDX-License-Identifier: GPL-3.0-or-later
#include "AdminSecretFile.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"
#include "hipaa/Zeroize.hpp"

namespace hipaa::cli {

std::string AdminSecretFile::read(const std::string& path) {
    Bytes raw = readSecretFile(path);
    size_t n = raw.size();
    while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r' || raw[n - 1] == ' ' || raw[n - 1] == '\t')) --n;
    std::string secret(reinterpret_cast<const char*>(raw.data()), n);
    zeroize(raw.data(), raw.size());
    if (secret.empty()) throw ConfigError("secret file " + path + " is empty");
    if (secret.find_first_of("\r\n") != std::string::npos) {
        zeroize(secret.data(), secret.size());
        throw ConfigError("secret file " + path + " must hold one line (the admin secret)");
    }
    return secret;
}

}  // namespace hipaa::cli
