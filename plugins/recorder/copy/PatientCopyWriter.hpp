// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The files inside a patient copy's encrypted stream, one after the other:
//   entry: type u8 (1) | name length u16 | name | size u64 | bytes      end: type u8 (0)
// The last entry is always "manifest.json", a signed document (kind "patient-copy", as the
// recorder's manifests: {"body", "signature", "public_key"}) whose body lists every other file with
// its SHA-256 and size, so the copy verifies with the recorder's public key alone. Names are flat
// ([A-Za-z0-9._-], 1-128 characters, not starting with a dot).
#include "SealedPackageWriter.hpp"
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/Json.hpp"

#include <set>
#include <string>

namespace hipaa::recorder {

class PatientCopyWriter {
public:
    static constexpr const char* kManifestName = "manifest.json";
    static constexpr const char* kKind = "patient-copy";

    explicit PatientCopyWriter(SealedPackageWriter& out) : out_(out), files_(jsonArray()) {}

    // Streams the file at `path` in (bounded pieces). Throws Error(kInvalidField) for a bad or
    // repeated name, Error(kInternal) when the file cannot be read.
    void addFile(const std::string& name, const std::string& path);
    void addBytes(const std::string& name, ByteView data);
    // Adds "files" to `body`, signs it, writes the manifest, the end marker and the final chunk.
    void finish(const JsonPtr& body, const Ed25519Signer& signer);

    static bool validName(const std::string& name);

private:
    void begin(const std::string& name, uint64_t size);
    void listed(const std::string& name, uint64_t size, const Digest256& sha);

    SealedPackageWriter& out_;
    JsonPtr files_;
    std::set<std::string> names_;
};

}  // namespace hipaa::recorder
