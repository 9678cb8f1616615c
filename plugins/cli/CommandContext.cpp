// SPDX-License-Identifier: GPL-3.0-or-later
#include "CommandContext.hpp"

#include "UsageError.hpp"

namespace hipaa::cli {

std::optional<std::string> CommandContext::valueOrStdin(const std::string& option) const {
    auto v = args.value(option);
    if (!v || *v != "-") return v;
    std::string line;
    if (!std::getline(in, line)) throw UsageError(option + " -: nothing on standard input");
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

}  // namespace hipaa::cli
