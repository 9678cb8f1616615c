// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every key of janus.plugin.hipaa.room.jcfg, read and checked without opening a file or starting a
// thread: RoomPlugin reads it at init, `janus-hipaa check-config` offline (no Janus). loadKeys() then
// opens the key files with the secret-file rules, as init does.
#include "ChatMeter.hpp"
#include "RoomSettings.hpp"
#include "TokenVerifier.hpp"
#include "hipaa/KeyStore.hpp"

#include "hipaa/ClusterConfig.hpp"
#include "hipaa/Config.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace hipaa::room {

struct RoomConfig {
    struct ConfiguredRoom {
        std::string id, className, description;  // description: PHI, shown redacted
    };
    struct Keys {
        Pseudonymizer pseudonyms;
        std::shared_ptr<const KeyStore> store;
    };

    std::string name;  // the config file, for messages
    bool development = false;
    bool requireAudit = true;
    std::string pseudonymKeyFile;
    std::string stateDir;  // general.state_dir: the plugin's private files (the config trail's state)
    TokenPolicy tokens;
    KeySources keySources;
    ChatMeter::Limit chat;
    RoomSettings settings;  // classes and lockouts; the plugin adds the audit check and the recorder
    std::vector<ConfiguredRoom> rooms;
    hipaa::ClusterConfig cluster;  // [cluster]: conninfo empty = this instance alone, state in memory
    // cluster.dead_after: an instance whose heartbeat (every second) is older is dead; its live rooms
    // are ended `abnormal` by whichever instance notices first.
    int64_t deadAfterS = 15;

    // Reads every key, refuses unknown ones (Config::finish) and checks what needs no file. Throws
    // ConfigError naming the key.
    static RoomConfig read(Config& config);
    // Opens the pseudonym key and the token keys; throws ConfigError naming the key or the file.
    Keys loadKeys() const;
};

}  // namespace hipaa::room
