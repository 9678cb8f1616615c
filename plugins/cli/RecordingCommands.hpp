// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `janus-hipaa recordings list|status|hold|release|delete|verify|export`: janus.plugin.hipaa.recorder's
// Admin API (docs/recorder.md). `verify` exits 5 when the recording does not verify; `delete` (crypto-
// shredding, irreversible) needs --yes.
#include "CommandContext.hpp"

namespace hipaa::cli {

class RecordingCommands {
public:
    static int run(const CommandContext& ctx);
};

}  // namespace hipaa::cli
