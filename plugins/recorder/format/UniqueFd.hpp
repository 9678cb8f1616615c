// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The recorder's file helpers over common's UniqueFd (hipaa::UniqueFd, found from this namespace).
#include "hipaa/Bytes.hpp"
#include "hipaa/UniqueFd.hpp"

#include <string>

namespace hipaa::recorder {

// Writes all of `data` (retrying on EINTR/short writes); throws WriteError (errno) naming `what`.
void writeAll(int fd, ByteView data, const char* what);
// Reads a whole file; throws Error(kInternal) if it cannot be opened or read.
Bytes readWholeFile(const std::string& path);
// Writes `data` to `path` atomically (temp file, fsync, rename) with the given mode.
void writeFileAtomic(const std::string& path, ByteView data, unsigned mode = 0600);

}  // namespace hipaa::recorder
