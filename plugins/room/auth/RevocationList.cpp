// SPDX-License-Identifier: GPL-3.0-or-later
#include "RevocationList.hpp"

#include <algorithm>

namespace hipaa::room {

void RevocationList::revokeSubject(const std::string& sub, int64_t until) {
    std::lock_guard lock(m_);
    auto& v = subjects_[sub];
    v = std::max(v, until);
}

void RevocationList::revokeTokenId(const std::string& jti, int64_t until) {
    std::lock_guard lock(m_);
    auto& v = tokenIds_[jti];
    v = std::max(v, until);
}

void RevocationList::revokeRoom(const std::string& room, int64_t until) {
    std::lock_guard lock(m_);
    auto& v = rooms_[room];
    v = std::max(v, until);
}

bool RevocationList::active(const std::unordered_map<std::string, int64_t>& m, const std::string& k, int64_t now) {
    auto it = m.find(k);
    return it != m.end() && it->second >= now;
}

bool RevocationList::isRevoked(const std::string& sub, const std::string& jti, const std::string& room,
                               int64_t now) const {
    std::lock_guard lock(m_);
    return active(subjects_, sub, now) || active(tokenIds_, jti, now) || active(rooms_, room, now);
}

size_t RevocationList::size() const {
    std::lock_guard lock(m_);
    return subjects_.size() + tokenIds_.size() + rooms_.size();
}

}  // namespace hipaa::room
