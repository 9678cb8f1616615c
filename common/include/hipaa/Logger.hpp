// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The logging seam: plugin glue points a Logger at JANUS_LOG, tests at a buffer. One Logger per plugin
// (not a global) so that a plugin Janus unloads never leaves a dangling sink behind in common/.
// Never pass PHI, keys or tokens to it.
#include <functional>
#include <string>
#include <string_view>

namespace hipaa {

// Same numbering as Janus' LOG_FATAL..LOG_DBG.
enum class LogLevel { Fatal = 1, Error = 2, Warn = 3, Info = 4, Verb = 5, Huge = 6, Debug = 7 };

class Logger {
public:
    using Sink = std::function<void(LogLevel, std::string_view)>;

    Logger() = default;
    Logger(std::string prefix, Sink sink) : prefix_(std::move(prefix)), sink_(std::move(sink)) {}

    void log(LogLevel level, std::string_view message) const;
    void error(std::string_view m) const { log(LogLevel::Error, m); }
    void warn(std::string_view m) const { log(LogLevel::Warn, m); }
    void info(std::string_view m) const { log(LogLevel::Info, m); }
    void verbose(std::string_view m) const { log(LogLevel::Verb, m); }

private:
    std::string prefix_;
    Sink sink_;
};

}  // namespace hipaa
