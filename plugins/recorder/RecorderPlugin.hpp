#pragma once
// janus.plugin.hipaa.recorder: encrypted recording. This first version validates its configuration
// (the recordings folder must be private to the Janus user) and answers `info`; recording itself is
// the encrypted-recording issue and answers "not implemented" (305) until then.
#include "hipaa/Config.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"

#include <memory>
#include <mutex>
#include <set>

namespace hipaa::recorder {

inline constexpr PluginInfo kRecorderInfo{"janus.plugin.hipaa.recorder", "HIPAA encrypted recorder",
                                          "Encrypted consult recording with retention and verifiable deletion",
                                          "0.1.0", 100};

class RecorderPlugin final : public MediaPluginCore {
public:
    RecorderPlugin(Config config, Logger log);
    static std::unique_ptr<MediaPluginCore> create(const std::string& configFile, Logger log, MediaHost& host);

    void createSession(SessionId session) override;
    void destroySession(SessionId session) override;
    Reply handleMessage(SessionId session, const std::string& transaction, JsonPtr message, JsonPtr jsep) override;
    JsonPtr handleAdmin(const json_t* request) override;
    JsonPtr querySession(SessionId session) override;

private:
    Config config_;
    Logger log_;
    std::string recordingsDir_;
    std::mutex mutex_;
    std::set<SessionId> sessions_;
};

// Creates `dir` (0700) if missing; throws ConfigError naming `key` if it is not a directory or if
// group/others have any access to it.
void ensurePrivateDirectory(const std::string& dir, const std::string& key);

}  // namespace hipaa::recorder
