// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// janus-hipaa: parses the command line, runs one command, maps what went wrong to the documented exit
// status (ExitCode.hpp) and a message on `err`. The environment and the Admin API client are passed
// in, so tests run it without a Janus or a real environment.
#include "AdminApi.hpp"

#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace hipaa::cli {

class Cli {
public:
    static constexpr const char* kDefaultAdminUrl = "http://127.0.0.1:7088/admin";
    static constexpr const char* kDefaultSecretFile = "/etc/janus/hipaa/admin_secret";

    // Makes the client for an online command (default: AdminClient); `secret` is read from the
    // secret file just before.
    using ClientFactory =
        std::function<std::unique_ptr<AdminApi>(const std::string& url, std::string secret, long timeoutMs)>;

    Cli(std::ostream& out, std::ostream& err, std::istream& in, std::map<std::string, std::string> env,
        ClientFactory factory = nullptr);

    // `args` without the program name. Returns the exit status.
    int run(const std::vector<std::string>& args);

private:
    std::string env(const char* name) const;

    std::ostream& out_;
    std::ostream& err_;
    std::istream& in_;
    std::map<std::string, std::string> env_;
    ClientFactory factory_;
};

}  // namespace hipaa::cli
