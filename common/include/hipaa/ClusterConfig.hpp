// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "hipaa/Config.hpp"

#include <string>

namespace hipaa {

// The `[cluster]` category shared by the room and the recorder: several Janus instances of one clinic
// keep the state that must survive a restart or hold on every instance (spent token ids, revocations,
// lockouts, the room directory, recording leases) in one PostgreSQL database.
struct ClusterConfig {
    std::string conninfo;    // empty: this instance alone, that state in memory (lost on restart)
    std::string instanceId;  // unique per Janus instance; the audit handler's general.instance_id
    std::string publicUrl;   // room only: the Janus API URL clients of this instance's rooms use

    bool shared() const { return !conninfo.empty(); }

    // Reads cluster.conninfo (secret: shown redacted), cluster.instance_id (default: the host name,
    // 1-64 of [A-Za-z0-9_.-]) and, with `withPublicUrl`, cluster.public_url (http, https, ws or wss;
    // required when conninfo is set). Throws ConfigError naming the key.
    static ClusterConfig read(Config& config, bool withPublicUrl);
    static std::string defaultInstanceId();
};

}  // namespace hipaa
