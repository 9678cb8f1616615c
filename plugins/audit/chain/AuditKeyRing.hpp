// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Ed25519 public keys a verifier trusts, per instance: each Janus instance signs its checkpoints
// with its own key, and a checkpoint row names its key (key_id). The keys come from a file kept
// outside the database (`chain.trusted_keys_file`, audit-verify --trusted-keys): keys published in
// the database could be swapped by whoever can rewrite the trail there.
#include "hipaa/Bytes.hpp"
#include "hipaa/Ed25519Verifier.hpp"

#include <map>
#include <string>
#include <utility>

namespace hipaa::audit {

class AuditKeyRing {
public:
    // Several keys per instance are fine (a rotated signing key: its old checkpoints still verify).
    void add(const std::string& instanceId, ByteView publicKey);
    // The key `keyId` if it is trusted for `instanceId`, else null (another instance's key is not).
    const Ed25519Verifier* find(const std::string& instanceId, const std::string& keyId) const;
    bool empty() const { return keys_.empty(); }

    // Lines "INSTANCE_ID PUBLIC_KEY" (hex or base64 of 32 bytes); blank lines and lines starting
    // with '#' are skipped. Refused (ConfigError naming the line): a malformed line, a file others
    // than its owner may write (whoever can add a key here can forge checkpoints).
    static AuditKeyRing fromFile(const std::string& path);
    static AuditKeyRing parse(const std::string& text, const std::string& source);

private:
    std::map<std::pair<std::string, std::string>, Ed25519Verifier> keys_;  // (instance, key id) -> key
};

}  // namespace hipaa::audit
