// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A command line janus-hipaa cannot run (exit status 2); the message says what to change.
#include <stdexcept>
#include <string>

namespace hipaa::cli {

class UsageError : public std::runtime_error {
public:
    explicit UsageError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace hipaa::cli
