// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Revoked subjects (`sub`, any issuer), token ids (`jti`) and rooms until a time (seconds since the
// epoch), in memory. With cluster.conninfo the shared store (SharedTokenState) keeps them across
// restarts and instances; without it a restart forgets them (docs/room.md).
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hipaa::room {

class RevocationList {
public:
    void revokeSubject(const std::string& sub, int64_t until);
    void revokeTokenId(const std::string& jti, int64_t until);
    void revokeRoom(const std::string& room, int64_t until);
    bool isRevoked(const std::string& sub, const std::string& jti, const std::string& room, int64_t now) const;
    size_t size() const;

private:
    static bool active(const std::unordered_map<std::string, int64_t>& m, const std::string& k, int64_t now);
    mutable std::mutex m_;
    std::unordered_map<std::string, int64_t> subjects_, tokenIds_, rooms_;
};

}  // namespace hipaa::room
