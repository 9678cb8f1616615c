// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The client request being handled: its handle and transaction, the time, and the effects decided
// so far (answers to this handle; pushes to others and events go to `out` directly).
#include "Effect.hpp"
#include "RoomPush.hpp"

#include <cstdint>
#include <string>

namespace hipaa::room {

struct Reply {
    SessionId session;
    const std::string& transaction;
    int64_t nowUs;
    Effects& out;

    void answer(JsonPtr body, JsonPtr jsep = nullptr) const {
        out.push_back(Effect::push(session, transaction, std::move(body), std::move(jsep)));
    }
    void error(int code, const std::string& message) const { answer(push::error(code, message)); }
    // A PHI-free event tied to this handle.
    void notify(JsonPtr event) const { out.push_back(Effect::notify(session, std::move(event))); }
};

}  // namespace hipaa::room
