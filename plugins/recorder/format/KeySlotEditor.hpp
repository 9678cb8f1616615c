// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Changes the key slot of a finished recording file without touching its sealed chunks.
#include "Keyring.hpp"
#include "RecordingWriter.hpp"

#include <functional>
#include <string>

namespace hipaa::recorder {

class KeySlotEditor {
public:
    // Unwraps with `keyring` and re-wraps the same data key with its newest key (or `version`);
    // replaces the file atomically (temp file + fsync + rename). The chunks are copied byte for byte,
    // in bounded pieces (`progress` is called after each). Returns the new summary (the SHA-256
    // changes with the header). Throws CryptoError if `keyring` lacks the key (version gone, or only
    // its public half), Error(errc::kDamaged) if the header does not parse or its slot does not open
    // with the key it names, Error(kInternal) on I/O failure (the original file is then untouched).
    static FileSummary rewrap(const std::string& path, const Keyring& keyring,
                              std::optional<uint32_t> version = std::nullopt,
                              const std::function<void()>& progress = {});
    // Crypto-shredding: overwrites the wrapped data key in place with zeros (algorithm None) and
    // fsyncs. Afterwards no key can open the file. Returns false if the file has no valid header.
    static bool shred(const std::string& path);
};

}  // namespace hipaa::recorder
