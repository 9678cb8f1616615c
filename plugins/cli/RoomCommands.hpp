// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `janus-hipaa rooms [list]`, `rooms info|create|destroy` and `revoke`: janus.plugin.hipaa.room's Admin
// API (docs/room.md).
#include "CommandContext.hpp"

namespace hipaa::cli {

class RoomCommands {
public:
    static int rooms(const CommandContext& ctx);
    static int revoke(const CommandContext& ctx);
};

}  // namespace hipaa::cli
