// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Janus admin secret from its file, by the same rules as every other secret file of janus-hipaa
// (common's readSecretFile: regular file, mode 0600/0400, owned by this user or root, folders above
// it not writable by others). One line; trailing whitespace dropped.
#include <string>

namespace hipaa::cli {

class AdminSecretFile {
public:
    // Throws ConfigError naming the file and what is wrong (never its content).
    static std::string read(const std::string& path);
};

}  // namespace hipaa::cli
