// SPDX-License-Identifier: GPL-3.0-or-later
#include "Shell.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>

namespace hipaa::test {

Shell::Result Shell::run(const std::string& command) {
    Result r;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return r;
    char buf[65536];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
    int status = ::pclose(p);
    r.status = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string Shell::output(const std::string& command) {
    Result r = run(command);
    if (r.status != 0)
        throw std::runtime_error("exit status " + std::to_string(r.status) + ": " + command + "\n" + r.out);
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
}

}  // namespace hipaa::test
