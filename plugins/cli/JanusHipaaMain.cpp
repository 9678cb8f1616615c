// SPDX-License-Identifier: GPL-3.0-or-later
// janus-hipaa: the admin CLI for janus-hipaa (docs/cli.md). Everything but the process' own arguments,
// streams and environment is in hipaa_cli (Cli).
#include "Cli.hpp"

#include <iostream>
#include <map>
#include <string>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
    std::map<std::string, std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string kv = *e;
        if (auto eq = kv.find('='); eq != std::string::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    return hipaa::cli::Cli(std::cout, std::cerr, std::cin, std::move(env)).run(args);
}
