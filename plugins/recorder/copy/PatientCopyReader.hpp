// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Opens a patient copy (hipaa-recorder-tool open-copy): decrypts the stream into a folder, then
// checks the manifest's signature with the recorder's public key, every file's SHA-256 and size
// against it, and each recording's own signed manifest inside it. Nothing unverified is left: on any
// failure every file it wrote is removed again.
#include "SealedPackageReader.hpp"
#include "hipaa/Ed25519Verifier.hpp"
#include "hipaa/Json.hpp"

#include <string>
#include <vector>

namespace hipaa::recorder {

struct OpenedCopy {
    std::vector<std::string> files;  // names written to the folder, manifest.json last
    JsonPtr manifest;                // the verified body
};

class PatientCopyReader {
public:
    static constexpr uint64_t kMaxManifestBytes = 16 << 20;

    // `reader` has its key set. Files are created in `outDir` (O_EXCL, 0600). Throws Error with
    // a message naming what failed (never file contents).
    static OpenedCopy open(SealedPackageReader& reader, const std::string& outDir, const Ed25519Verifier& recorderKey);
};

}  // namespace hipaa::recorder
