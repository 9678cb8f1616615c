#pragma once
// janus.plugin.hipaa.room: consult rooms. This first version loads and validates its configuration,
// tracks Janus sessions and answers the Admin API `info`; the room API itself (tokens, roles, waiting
// room) is room part 1 and answers "not implemented" until then (error 305), never a pretend success.
#include "hipaa/Config.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <set>

namespace hipaa::room {

inline constexpr PluginInfo kRoomInfo{"janus.plugin.hipaa.room", "HIPAA consult room",
                                      "HIPAA consult rooms: signed join tokens, roles, waiting room", "0.1.0", 100};

class RoomPlugin final : public MediaPluginCore {
public:
    RoomPlugin(Config config, Logger log, MediaHost& host);
    static std::unique_ptr<MediaPluginCore> create(const std::string& configFile, Logger log, MediaHost& host);

    void createSession(SessionId session) override;
    void destroySession(SessionId session) override;
    Reply handleMessage(SessionId session, const std::string& transaction, JsonPtr message, JsonPtr jsep) override;
    JsonPtr handleAdmin(const json_t* request) override;
    JsonPtr querySession(SessionId session) override;

private:
    Config config_;
    Logger log_;
    MediaHost& host_;
    bool development_ = false;
    std::optional<Pseudonymizer> pseudonyms_;
    std::mutex mutex_;
    std::set<SessionId> sessions_;
};

}  // namespace hipaa::room
