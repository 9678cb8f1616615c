// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the plugin's configuration decides for every room: the room classes, the lockout limits, the
// audit trail check and whether recording is possible.
#include "RoomClass.hpp"
#include "SharedTokenState.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace hipaa::room {

struct RoomSettings {
    std::map<std::string, RoomClass> classes{{"default", RoomClass{}}};
    // Wrong dates of birth of one subject in one room within the window lock that subject out of that
    // room; failures before any signature verified (junk tokens, unknown rooms, wrong private_ids,
    // malformed joins) within the window lock that Janus session out. Authentic tokens (replayed,
    // expired, revoked ...) count nowhere. <= 0: no lockout of that kind.
    int lockoutFailures = 5;
    int64_t lockoutWindowS = 300, lockoutS = 300;
    int sessionFailures = 10;
    // Asked before every join and admission: "" when the audit trail takes records, else a PHI-free
    // reason ("audit_not_loaded", "spool_full" ...) and the visit does not start (fail closed).
    // Null: not checked (general.require_audit = false).
    std::function<std::string()> auditCheck;
    // Someone carries out StartRecording/StopRecording effects (RoomPlugin: a RecordingTap per room
    // feeding the recorder). False: `record` answers 454.
    bool recorder = false;
    // cluster.conninfo: spent jtis, revocations and subject lockouts also in the clinic's database,
    // asked by every join (one round trip) and written by `revoke` first. Null: in memory only.
    std::shared_ptr<SharedTokenState> shared;
};

}  // namespace hipaa::room
