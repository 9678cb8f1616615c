// SPDX-License-Identifier: GPL-3.0-or-later
#include "ActorTokenFile.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"
#include "hipaa/Zeroize.hpp"

#include <algorithm>

namespace hipaa::cli {

std::string ActorTokenFile::read(const std::string& path) {
    Bytes raw = readSecretFile(path);
    size_t n = raw.size();
    while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r' || raw[n - 1] == ' ' || raw[n - 1] == '\t')) --n;
    std::string token(reinterpret_cast<const char*>(raw.data()), n);
    zeroize(raw.data(), raw.size());
    const char* problem = token.empty()                                         ? "is empty"
                          : token.size() > kMaxSize                             ? "holds more than 8192 bytes"
                          : token.find_first_of("\r\n \t") != std::string::npos ? "must hold one token on one line"
                          : std::count(token.begin(), token.end(), '.') != 2    ? "holds no compact JWS (a.b.c)"
                                                                                : nullptr;
    if (problem) {
        zeroize(token.data(), token.size());
        throw ConfigError("actor token file " + path + " " + problem);
    }
    return token;
}

}  // namespace hipaa::cli
