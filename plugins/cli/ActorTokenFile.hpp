// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The actor tokens (docs/access.md) gated requests carry, read from their file: the identity provider
// rewrites the file with fresh one-time tokens, one compact JWS per line (a command that makes several
// gated requests, like `evidence`, takes one line each). Same file rules as the admin secret (common's
// readSecretFile: mode 0600/0400, owned by this user or root). A token is never printed, not even in errors.
#include <string>
#include <vector>

namespace hipaa::cli {

class ActorTokenFile {
public:
    static constexpr size_t kMaxSize = 8192;  // the handlers' actor token limit
    static constexpr size_t kMaxTokens = 1000;

    // The file's tokens in order (at least one). Throws ConfigError naming the file, the line and what
    // is wrong (never the content).
    static std::vector<std::string> read(const std::string& path);
};

}  // namespace hipaa::cli
