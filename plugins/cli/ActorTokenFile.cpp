// SPDX-License-Identifier: GPL-3.0-or-later
#include "ActorTokenFile.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"
#include "hipaa/Zeroize.hpp"

#include <algorithm>

namespace hipaa::cli {

std::vector<std::string> ActorTokenFile::read(const std::string& path) {
    Bytes raw = readSecretFile(path);
    std::string text(reinterpret_cast<const char*>(raw.data()), raw.size());
    zeroize(raw.data(), raw.size());
    std::vector<std::string> tokens;
    const char* problem = nullptr;
    size_t line = 0;
    for (size_t pos = 0; pos < text.size();) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        size_t n = end;
        while (n > pos && (text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '\t')) --n;
        ++line;
        std::string token = text.substr(pos, n - pos);
        pos = end + 1;
        if (token.empty() && pos >= text.size()) break;  // the last line's newline
        problem = token.empty()                                       ? "has an empty line"
                  : token.size() > kMaxSize                           ? "holds more than 8192 bytes on a line"
                  : token.find_first_of(" \t\r") != std::string::npos ? "must hold one token per line"
                  : std::count(token.begin(), token.end(), '.') != 2  ? "holds no compact JWS (a.b.c)"
                  : tokens.size() == kMaxTokens                       ? "holds more than 1000 tokens"
                                                                      : nullptr;
        if (problem) {
            zeroize(token.data(), token.size());
            break;
        }
        tokens.push_back(std::move(token));
    }
    zeroize(text.data(), text.size());
    std::string where = problem ? " (line " + std::to_string(line) + ")" : "";
    if (!problem && tokens.empty()) problem = "is empty";
    if (problem) {
        for (auto& t : tokens) zeroize(t.data(), t.size());
        throw ConfigError("actor token file " + path + " " + problem + where);
    }
    return tokens;
}

}  // namespace hipaa::cli
