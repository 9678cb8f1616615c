#pragma once
// Secrets (keys, key files, bearer tokens) come only from files that nobody but the owner can read.
#include "hipaa/Bytes.hpp"

#include <string>

namespace hipaa {

// Throws ConfigError if the file is missing, not a regular file, or readable/writable by group or
// others (mode must be 0600 or 0400). The message names the path and the mode, never the content.
Bytes readSecretFile(const std::string& path);
// Like readSecretFile, trims trailing whitespace and decodes hex or base64 if `decode` is set.
Bytes readSecretKeyFile(const std::string& path, size_t expectedSize);

}  // namespace hipaa
