// SPDX-License-Identifier: GPL-3.0-or-later
// The .jcfg parser and Config on arbitrary bytes: only ConfigError may come out, never a crash.
#include "hipaa/Config.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        hipaa::Config c(hipaa::JcfgParser::parse(std::string_view(reinterpret_cast<const char*>(data), size)));
        c.string("general.s", "");
        c.integer("general.n", 0, -5, 5);
        c.boolean("general.b", false);
        c.stringList("general.l");
        c.finish();
    } catch (const hipaa::ConfigError&) {
    }
    return 0;
}
