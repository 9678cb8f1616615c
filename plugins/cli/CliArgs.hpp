// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The command line split into words (command, subcommand, arguments) and options (`--name VALUE`,
// `--name=VALUE`, or a flag). Options may come anywhere; `--` ends them. Only known option names are
// accepted (a typo is refused, not ignored); which ones a command takes is checked by the command.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hipaa::cli {

class CliArgs {
public:
    // Throws UsageError: an unknown option, a value missing or given to a flag.
    static CliArgs parse(const std::vector<std::string>& args);

    const std::vector<std::string>& words() const { return words_; }
    // The i-th word, or "" when there are fewer.
    std::string word(size_t i) const { return i < words_.size() ? words_[i] : std::string(); }
    bool has(const std::string& option) const { return options_.contains(option); }
    std::optional<std::string> value(const std::string& option) const;
    // The option's integer value in [min, max]; nullopt when absent. Throws UsageError.
    std::optional<int64_t> integer(const std::string& option, int64_t min, int64_t max) const;
    // Throws UsageError naming the first option not in `allowed` (the global ones always are).
    void allowOnly(const std::vector<std::string>& allowed) const;

    // `text` as an integer in [min, max]; throws UsageError naming `what`.
    static int64_t toInteger(const std::string& what, const std::string& text, int64_t min, int64_t max);

private:
    std::vector<std::string> words_;
    std::map<std::string, std::string> options_;  // "--limit" -> "10"; flags -> ""
};

}  // namespace hipaa::cli
