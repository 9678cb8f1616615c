// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Logger.hpp"

namespace hipaa {

void Logger::log(LogLevel level, std::string_view message) const {
    if (!sink_) return;
    std::string line;
    line.reserve(prefix_.size() + message.size() + 3);
    line.append("[").append(prefix_).append("] ").append(message);
    sink_(level, line);
}

}  // namespace hipaa
