// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Typed errors of the control path. Each carries a stable numeric code that the plugins map to their
// documented `error_code`s; messages never contain PHI, keys or tokens.
#include <stdexcept>
#include <string>

namespace hipaa {

class Error : public std::runtime_error {
public:
    Error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

// Codes shared by every plugin (see docs/error-codes.md); plugin-specific codes start at 400.
namespace errc {
inline constexpr int kInternal = 300;
inline constexpr int kInvalidJson = 301;
inline constexpr int kMissingField = 302;
inline constexpr int kInvalidField = 303;
inline constexpr int kUnknownRequest = 304;
inline constexpr int kNotImplemented = 305;
inline constexpr int kConfig = 310;
inline constexpr int kCrypto = 320;
inline constexpr int kDatabase = 330;
inline constexpr int kHttp = 340;
inline constexpr int kPluginUnavailable = 350;  // an in-process peer plugin is not loaded (InProcessSlot)
// Actor tokens (ActorGate): who asks for PHI, keys, retention or holds through the Admin API.
inline constexpr int kActorTokenMissing = 360;   // the request needs `actor_token`
inline constexpr int kActorTokenInvalid = 361;   // malformed, too large, algorithm, unknown key, signature, claims
inline constexpr int kActorTokenNotOurs = 362;   // issuer not accepted or audience not this deployment
inline constexpr int kActorTokenExpired = 363;   // exp/nbf/iat out of range or lifetime too long
inline constexpr int kActorTokenReplayed = 364;  // jti already used (one token, one request)
inline constexpr int kActorRoleUnknown = 365;    // role claim missing or not one of the documented roles
inline constexpr int kActorMfaRequired = 366;    // a staff role without multi-factor `amr`
inline constexpr int kActorForbidden = 367;      // the role (or the relationship to the visit) does not allow it
inline constexpr int kAccessNotRecorded = 368;   // the audit trail could not record the access: nothing read
}  // namespace errc

class ConfigError : public Error {
public:
    explicit ConfigError(const std::string& what) : Error(errc::kConfig, what) {}
};

class CryptoError : public Error {
public:
    explicit CryptoError(const std::string& what) : Error(errc::kCrypto, what) {}
};

class DbError : public Error {
public:
    DbError(const std::string& what, std::string sqlstate)
        : Error(errc::kDatabase, what), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const noexcept { return sqlstate_; }

private:
    std::string sqlstate_;
};

class HttpError : public Error {
public:
    HttpError(const std::string& what, long status) : Error(errc::kHttp, what), status_(status) {}
    long status() const noexcept { return status_; }

private:
    long status_;
};

// A request that cannot be served; code is the plugin's documented error_code.
class RequestError : public Error {
public:
    using Error::Error;
};

}  // namespace hipaa
