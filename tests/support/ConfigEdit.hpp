// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Edits a generated .jcfg the way a person would: the first `key = ...` line (a commented-out sample
// line too) gets the new value.
#include "JanusProcess.hpp"
#include "Shell.hpp"

#include <sstream>
#include <stdexcept>
#include <string>

namespace hipaa::test {

inline std::string setConfigLine(const std::string& text, const std::string& key, const std::string& value) {
    std::istringstream in(text);
    std::string line, out;
    bool done = false;
    while (std::getline(in, line)) {
        size_t i = line.find_first_not_of(" \t#");
        if (!done && i != std::string::npos && line.compare(i, key.size() + 3, key + " = ") == 0) {
            line = "\t" + key + " = " + value;
            done = true;
        }
        out += line + "\n";
    }
    if (!done) throw std::runtime_error("no key " + key + " in the config");
    return out;
}

// The same in Janus' generated config file `file` (written back with `mode`).
inline void setConfigKey(JanusProcess& janus, const std::string& file, const std::string& key, const std::string& value,
                         unsigned mode = 0644) {
    janus.writeConfig(file, setConfigLine(readFile(janus.configFile(file)), key, value), mode);
}

}  // namespace hipaa::test
