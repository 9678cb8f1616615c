// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditKeyRing.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace hipaa::audit {

void AuditKeyRing::add(const std::string& instanceId, ByteView publicKey) {
    Ed25519Verifier key(publicKey);
    std::string id = key.keyId();
    keys_.insert_or_assign({instanceId, id}, std::move(key));
}

const Ed25519Verifier* AuditKeyRing::find(const std::string& instanceId, const std::string& keyId) const {
    auto it = keys_.find({instanceId, keyId});
    return it == keys_.end() ? nullptr : &it->second;
}

AuditKeyRing AuditKeyRing::parse(const std::string& text, const std::string& source) {
    AuditKeyRing ring;
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        std::istringstream fields(line);
        std::string instance, key, extra;
        fields >> instance;
        if (instance.empty() || instance[0] == '#') continue;
        fields >> key >> extra;
        auto bytes = hexDecode(key);
        if (!bytes || bytes->size() != Ed25519Verifier::kPublicKeySize) bytes = base64Decode(key);
        if (instance.size() > 64 || !extra.empty() || !bytes || bytes->size() != Ed25519Verifier::kPublicKeySize)
            throw ConfigError(source + " line " + std::to_string(n) +
                              ": expected \"INSTANCE_ID PUBLIC_KEY\" (32 bytes, hex or base64)");
        ring.add(instance, *bytes);
    }
    return ring;
}

AuditKeyRing AuditKeyRing::fromFile(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw ConfigError("cannot read trusted keys file " + path);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        throw ConfigError("trusted keys file " + path + " must not be writable by group or others");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read trusted keys file " + path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse(text, "trusted keys file " + path);
}

}  // namespace hipaa::audit
