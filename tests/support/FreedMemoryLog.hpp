// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test helper for key hygiene: while a FreedMemoryLog is alive, every block this process frees through
// operator delete (std::string, std::vector, ...) or jansson (JSON values) is copied into a log before
// it is released, so a test can ask afterwards whether a key, or its hex/base64 text, was ever freed
// without being wiped first, even a copy freed before the test knew the key.
// FreedMemoryLog.cpp replaces the global operator new/delete: link it only into a test executable of
// its own. One log at a time.
#include <cstddef>

#include "hipaa/Bytes.hpp"

namespace hipaa::test {

class FreedMemoryLog {
public:
    FreedMemoryLog();   // starts logging (and routes jansson's frees through the log)
    ~FreedMemoryLog();  // stops
    FreedMemoryLog(const FreedMemoryLog&) = delete;
    FreedMemoryLog& operator=(const FreedMemoryLog&) = delete;

    void stop();
    // Number of logged blocks that contained `needle`.
    size_t freedBlocksHolding(ByteView needle) const;
    size_t blocks() const;
    bool overflowed() const;  // the log filled up: a test must not trust it then
};

}  // namespace hipaa::test
