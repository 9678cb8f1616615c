// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writes a file readable by its owner only (0600), atomically: a temporary file beside it, fsync,
// rename, fsync of the folder. A reader never sees half a file (the evidence report, the config trail's state).
#include <string>

namespace hipaa {

class PrivateFile {
public:
    // Throws ConfigError naming the file and the reason.
    static void write(const std::string& path, const std::string& text);
};

}  // namespace hipaa
