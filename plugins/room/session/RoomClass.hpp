// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A room class from the .jcfg (`class-<name>` category): which roles may join, their permissions
// (defaults narrowed by `narrow_<role>`, widened only by an explicit `widen_<role>` or `auto_admit`),
// and the policies of a visit (timeouts, MFA, knowledge check, HS256).
#include "Role.hpp"

#include "hipaa/Config.hpp"

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace hipaa::room {

struct RoomClass {
    std::string name = "default";
    std::set<Role> roles{Role::Provider, Role::Patient, Role::Interpreter, Role::Observer, Role::Support};
    std::array<Permissions, 5> perms{Permissions::defaults(Role::Provider), Permissions::defaults(Role::Patient),
                                     Permissions::defaults(Role::Interpreter), Permissions::defaults(Role::Observer),
                                     Permissions::defaults(Role::Support)};
    std::set<Role> mfaRoles{Role::Provider};
    bool dobCheck = false;  // patients must type their date of birth (token carries dob_hmac)
    bool allowHs256 = false;
    int64_t idleTimeoutS = 600;  // no request (and, with media, no packet) for this long ends a session
    int64_t maxVisitS = int64_t{4} * 3600;
    bool endOnTokenExpiry = true;
    bool e2ee = false;            // media is end-to-end encrypted (insertable streams): never recorded
    bool recordConsent = true;    // `record` needs the consent of every admitted patient first
    std::string recordingPolicy;  // recorder retention policy for this class ("" = the recorder's default)
    bool chatKept = false;        // `chat = "record"`: every message sealed by the recorder (ChatKeeper)
    // `documents = "record"`: every shared document sealed in the visit's kept chat before it is relayed;
    // the room then runs a ChatKeeper even when chat only relays (its messages stay unkept).
    bool documentsKept = false;
    bool keeper() const { return chatKept || documentsKept; }
    bool keptToEhr = true;  // `kept_to_ehr`: VisitEnded.keptToEhr (false: kept in the recorder only)
    std::set<Role> shareDocument{Role::Provider, Role::Patient};  // may share documents (DocumentDesk)
    uint64_t documentMaxBytes = uint64_t{10} << 20;               // per shared document
    uint32_t bitrate = 0;  // video cap per publisher in bits/s (REMB + b=AS); 0 = the browser decides
    int publishers = 8;    // at most this many participants publish at once
    std::vector<std::string> videoCodecs{"vp8", "vp9", "h264"};  // preference order (the offer's first match)

    const Permissions& of(Role r) const { return perms[static_cast<size_t>(r)]; }
    // Reads `class-<name>` keys from config (marking them read). Throws ConfigError naming the key.
    static RoomClass fromConfig(Config& config, const std::string& name);
};

}  // namespace hipaa::room
