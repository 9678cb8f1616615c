// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Parser for Janus' .jcfg files (libconfig syntax): groups `{}`, arrays `[]`, lists `()`, settings
// `name = value` or `name: value` with optional `;`/`,`, strings (escapes, adjacent concatenation),
// integers (decimal, hex, L suffix), floats, booleans, and `#`, `//`, `/* */` comments.
// Groups become JSON objects, arrays and lists JSON arrays. Outside input: fuzzed (tests/fuzz).
#include "hipaa/Json.hpp"

#include <string>
#include <string_view>

namespace hipaa {

class JcfgParser {
public:
    // Throws ConfigError("<name>:<line>: <what>") on a syntax error. Never echoes values.
    static JsonPtr parse(std::string_view text, const std::string& name = "config");
    static JsonPtr parseFile(const std::string& path);
};

}  // namespace hipaa
