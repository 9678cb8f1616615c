// SPDX-License-Identifier: GPL-3.0-or-later
#include "CommandContext.hpp"

#include "ActorTokenFile.hpp"
#include "UsageError.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/Zeroize.hpp"

#include <algorithm>

namespace hipaa::cli {

std::optional<std::string> CommandContext::valueOrStdin(const std::string& option) const {
    auto v = args.value(option);
    if (!v || *v != "-") return v;
    std::string line;
    if (!std::getline(in, line)) throw UsageError(option + " -: nothing on standard input");
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

void CommandContext::addActorToken(JsonBuilder& request) const {
    if (actorTokenFile.empty()) return;
    if (unsentTokens_.empty()) {
        try {
            unsentTokens_ = ActorTokenFile::read(actorTokenFile);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("--actor-token-file: ") + e.what());
        }
        std::reverse(unsentTokens_.begin(), unsentTokens_.end());
    }
    std::string& token = unsentTokens_.back();
    request.set("actor_token", std::string_view(token));
    zeroize(token.data(), token.size());
    unsentTokens_.pop_back();
}

CommandContext::~CommandContext() {
    for (auto& t : unsentTokens_) zeroize(t.data(), t.size());
}

}  // namespace hipaa::cli
