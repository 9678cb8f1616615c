// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A command run by /bin/sh to its end, its stdout captured (append 2>&1 to capture stderr too).
//   Shell::Result r = Shell::run("pg_dump '" + conninfo + "'");   // r.status, r.out
//   std::string token = Shell::output("python3 scripts/mint-token ...");
#include <string>

namespace hipaa::test {

class Shell {
public:
    struct Result {
        int status = -1;  // the exit status; -1 when it could not start or a signal ended it
        std::string out;
    };
    static Result run(const std::string& command);
    // stdout without its trailing newlines; throws std::runtime_error (with the output) unless the
    // command exits 0.
    static std::string output(const std::string& command);
};

}  // namespace hipaa::test
