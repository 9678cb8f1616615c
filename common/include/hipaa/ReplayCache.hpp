// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One-time token ids (join tokens, actor tokens): (`iss`, `jti`) remembered until the token's `exp` (+ skew), so a
// token can be used for exactly one join. A jti is unique per issuer only (RFC 7519 4.1.7), so two issuers' equal jti
// are two tokens. Bounded: when full of unexpired ids it refuses new ones (fail closed).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hipaa {

class ReplayCache {
public:
    enum class Result { Fresh, Replayed, Full };
    explicit ReplayCache(size_t capacity = 200000) : capacity_(capacity) {}
    // Records (iss, jti) until `forgetAt` (seconds) unless it is already known.
    Result remember(const std::string& iss, const std::string& jti, int64_t forgetAt, int64_t now);
    bool contains(const std::string& iss, const std::string& jti, int64_t now) const;
    size_t size() const;

private:
    static std::string keyOf(const std::string& iss, const std::string& jti);
    void purge(int64_t now);
    const size_t capacity_;
    mutable std::mutex m_;
    std::unordered_map<std::string, int64_t> seen_;
    int64_t nextPurge_ = 0;
};

}  // namespace hipaa
