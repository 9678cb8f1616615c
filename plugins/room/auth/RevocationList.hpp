// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Revoked subjects (`sub`, any issuer) and token ids (`jti`) until a time (seconds since the epoch).
// Kept in memory: a restart forgets revocations, but also every live session, and the replay
// cache; re-issue revocations after a restart (docs/room.md).
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hipaa::room {

class RevocationList {
public:
    void revokeSubject(const std::string& sub, int64_t until);
    void revokeTokenId(const std::string& jti, int64_t until);
    bool isRevoked(const std::string& sub, const std::string& jti, int64_t now) const;
    size_t size() const;

private:
    static bool active(const std::unordered_map<std::string, int64_t>& m, const std::string& k, int64_t now);
    mutable std::mutex m_;
    std::unordered_map<std::string, int64_t> subjects_, tokenIds_;
};

}  // namespace hipaa::room
