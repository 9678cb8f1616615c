// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What AdminClient throws when it has no `response` to hand back: the transport failed (no answer,
// an answer over the size cap or not JSON, a URL it refuses), Janus refused the request (wrong admin
// secret, no such plugin), or the plugin answered with its error envelope. Messages never carry the
// admin secret.
#include <jansson.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace hipaa::cli {

class AdminError : public std::runtime_error {
public:
    enum class Kind {
        Transport,  // code: 0, or the HTTP status of an answer that was not Janus JSON
        Janus,      // code: Janus' error code (403 wrong admin secret, 460 no such plugin, ...)
        Plugin,     // code: the plugin's error_code (docs/error-codes.md); response() is its answer
    };
    AdminError(Kind kind, int code, const std::string& message, std::shared_ptr<json_t> response = nullptr)
        : std::runtime_error(message), kind_(kind), code_(code), response_(std::move(response)) {}

    Kind kind() const noexcept { return kind_; }
    int code() const noexcept { return code_; }
    // The plugin's error answer (Kind::Plugin), else null.
    const json_t* response() const noexcept { return response_.get(); }

private:
    Kind kind_;
    int code_;
    std::shared_ptr<json_t> response_;  // shared: exceptions are copied
};

}  // namespace hipaa::cli
