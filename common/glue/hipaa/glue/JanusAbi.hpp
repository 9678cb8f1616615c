// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one way to include Janus' C headers from C++: they have no extern "C" guards. glib and jansson
// must be included first, outside the block (glib has C++ templates).
#include <glib.h>
#include <jansson.h>

extern "C" {
#include <debug.h>
#include <events/eventhandler.h>
#include <plugins/plugin.h>
}

#include "hipaa/Logger.hpp"

#include <string>
#include <string_view>

// Debian's Janus 1.1.2: a header change must fail the build, not the dlopen.
static_assert(JANUS_PLUGIN_API_VERSION == 102, "janus-hipaa is built for Janus plugin API 102 (1.1.x)");
static_assert(JANUS_EVENTHANDLER_API_VERSION == 3, "janus-hipaa is built for Janus event handler API 3");

namespace hipaa::glue {

// A Logger that writes through JANUS_LOG (glue only: JANUS_LOG needs symbols of the janus binary).
inline Logger janusLogger(std::string prefix) {
    return Logger(std::move(prefix), [](LogLevel level, std::string_view m) {
        JANUS_LOG(static_cast<int>(level), "%.*s\n", static_cast<int>(m.size()), m.data());
    });
}

inline std::string configFile(const char* configPath, const char* package) {
    std::string dir = configPath ? configPath : ".";
    if (!dir.empty() && dir.back() != '/') dir.push_back('/');
    return dir + package + ".jcfg";
}

}  // namespace hipaa::glue
