// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The actor token (docs/access.md) a gated request carries, read from its file at every request: the
// identity provider rewrites the file with a fresh one-time token, so nothing is cached. Same file
// rules as the admin secret (common's readSecretFile: mode 0600/0400, owned by this user or root);
// one line, a compact JWS. The token is never printed, not even in errors.
#include <string>

namespace hipaa::cli {

class ActorTokenFile {
public:
    static constexpr size_t kMaxSize = 8192;  // the handlers' actor token limit

    // Throws ConfigError naming the file and what is wrong (never its content).
    static std::string read(const std::string& path);
};

}  // namespace hipaa::cli
