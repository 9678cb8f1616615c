// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The two Admin API calls the commands need, as an interface so unit tests can answer them without a
// Janus. AdminClient is the real one.
#include "hipaa/Json.hpp"

#include <string_view>

namespace hipaa::cli {

class AdminApi {
public:
    virtual ~AdminApi() = default;
    // message_plugin to a media plugin: its `response`. Throws AdminError.
    virtual JsonPtr plugin(std::string_view plugin, const json_t* request) = 0;
    // query_eventhandler to an event handler: its `response`. Throws AdminError.
    virtual JsonPtr handler(std::string_view handler, const json_t* request) = 0;
};

}  // namespace hipaa::cli
