// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What a command of janus-hipaa runs with: the Admin API, its parsed command line, where to print,
// and whether to print the raw answers (--json) instead of tables.
#include "AdminApi.hpp"
#include "CliArgs.hpp"

#include "hipaa/Json.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace hipaa::cli {

struct CommandContext {
    AdminApi& api;
    const CliArgs& args;
    std::ostream& out;
    std::istream& in;  // `--sub -` reads the value from here (keeps it out of argv)
    bool json = false;
    // --actor-token-file (or $JANUS_HIPAA_ACTOR_TOKEN_FILE): who asks, for the gated requests.
    std::string actorTokenFile;

    // The answer as indented JSON (--json).
    void printJson(const json_t* answer) const { out << jsonDump(answer, JSON_INDENT(2)) << '\n'; }
    // An option's value; "-" reads it from the first line of `in` instead, so an identifier or a
    // reason stays out of argv (ps, shell history). Throws UsageError when `in` has no line.
    std::optional<std::string> valueOrStdin(const std::string& option) const;
    // A gated request (docs/access.md): `actor_token`, the file's next token not yet sent by this
    // command; when none is left the file is read again (tokens are one-time: the identity provider
    // rewrites it). Without a file the request goes without one (refused unless in development).
    void addActorToken(JsonBuilder& request) const;

    ~CommandContext();

    // The file's tokens this command has not sent yet, the next one at the back (wiped when gone).
    mutable std::vector<std::string> unsentTokens_ = {};
};

}  // namespace hipaa::cli
