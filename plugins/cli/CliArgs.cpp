// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliArgs.hpp"

#include "UsageError.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace hipaa::cli {
namespace {

constexpr std::array<std::string_view, 8> kFlags{"--json",    "--yes",  "--all", "--files",
                                                 "--samples", "--help", "-h",    "--allow-non-loopback"};
constexpr std::array<std::string_view, 31> kValued{"--secret-file",
                                                   "--admin-url",
                                                   "--timeout",
                                                   "--sub",
                                                   "--jti",
                                                   "--ttl",
                                                   "--reason",
                                                   "--from",
                                                   "--to",
                                                   "--instance",
                                                   "--actor-token-file",
                                                   "--room",
                                                   "--actor",
                                                   "--action",
                                                   "--from-time",
                                                   "--to-time",
                                                   "--after-seq",
                                                   "--limit",
                                                   "--format",
                                                   "--state",
                                                   "--pseudonym-iss",
                                                   "--pseudonym-sub",
                                                   "--class",
                                                   "--listen",
                                                   "--cursor",
                                                   "--out",
                                                   "--audit-conninfo",
                                                   "--days",
                                                   "--key-max-age-days",
                                                   "--sample",
                                                   "--due-days"};
// Taken by every command.
constexpr std::array<std::string_view, 5> kGlobalOptions{"--secret-file", "--admin-url", "--timeout", "--json",
                                                         "--help"};

bool known(std::string_view name, const auto& list) { return std::find(list.begin(), list.end(), name) != list.end(); }

}  // namespace

CliArgs CliArgs::parse(const std::vector<std::string>& args) {
    CliArgs out;
    bool optionsEnded = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (optionsEnded || a.size() < 2 || a[0] != '-' || a == "-") {
            out.words_.push_back(a);
            continue;
        }
        if (a == "--") {
            optionsEnded = true;
            continue;
        }
        std::string name = a, value;
        bool inlineValue = false;
        if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            inlineValue = true;
        }
        if (name == "-h") name = "--help";
        if (name == "--requester")
            throw UsageError("--requester is gone: gated requests carry an actor token (--actor-token-file PATH)");
        if (known(name, kFlags)) {
            if (inlineValue) throw UsageError(name + " takes no value");
        } else if (known(name, kValued)) {
            if (!inlineValue) {
                if (i + 1 >= args.size()) throw UsageError(name + " needs a value");
                value = args[++i];
            }
        } else {
            throw UsageError("unknown option " + name + " (janus-hipaa help)");
        }
        if (out.options_.contains(name)) throw UsageError(name + " given twice");
        out.options_[name] = value;
    }
    return out;
}

std::optional<std::string> CliArgs::value(const std::string& option) const {
    auto it = options_.find(option);
    if (it == options_.end()) return std::nullopt;
    return it->second;
}

int64_t CliArgs::toInteger(const std::string& what, const std::string& text, int64_t min, int64_t max) {
    errno = 0;
    char* end = nullptr;
    long long n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || n < min || n > max)
        throw UsageError(what + ": an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return n;
}

std::optional<int64_t> CliArgs::integer(const std::string& option, int64_t min, int64_t max) const {
    auto v = value(option);
    if (!v) return std::nullopt;
    return toInteger(option, *v, min, max);
}

void CliArgs::allowOnly(const std::vector<std::string>& allowed) const {
    for (const auto& [name, value] : options_) {
        if (known(name, kGlobalOptions) || std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
        throw UsageError("this command takes no " + name + " option");
    }
}

}  // namespace hipaa::cli
