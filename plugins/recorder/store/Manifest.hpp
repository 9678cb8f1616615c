// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Signed JSON documents kept next to recordings: the manifest (SHA-256 of every file) and the
// deletion receipt. File layout: {"body": {...}, "signature": base64(Ed25519), "public_key": hex};
// the signature covers "janus-hipaa/<kind>/v1\n" || the body's canonical JSON (compact, sorted keys).
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Json.hpp"

#include <optional>
#include <string>

namespace hipaa::recorder {

class SignedDocument {
public:
    // Writes atomically with mode 0600.
    static void write(const std::string& path, const std::string& kind, const json_t* body,
                      const Ed25519Signer& signer);
    // The body, or nullopt with `error` when missing, malformed or not signed by `verifier`.
    static std::optional<JsonPtr> read(const std::string& path, const std::string& kind,
                                       const Ed25519Verifier& verifier, std::string& error);
    static Bytes signedBytes(const std::string& kind, const json_t* body);
};

}  // namespace hipaa::recorder
