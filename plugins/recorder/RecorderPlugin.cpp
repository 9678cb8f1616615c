#include "RecorderPlugin.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace hipaa::recorder {

void ensurePrivateDirectory(const std::string& dir, const std::string& key) {
    if (dir.empty() || dir[0] != '/') throw ConfigError(key + ": must be an absolute path");
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT || ::mkdir(dir.c_str(), 0700) != 0 || ::stat(dir.c_str(), &st) != 0)
            throw ConfigError(key + ": cannot create " + dir);
    }
    if (!S_ISDIR(st.st_mode)) throw ConfigError(key + ": " + dir + " is not a directory");
    if ((st.st_mode & 077) != 0) throw ConfigError(key + ": " + dir + " must not be accessible to group or others (chmod 700)");
}

RecorderPlugin::RecorderPlugin(Config config, Logger log) : config_(std::move(config)), log_(std::move(log)) {
    recordingsDir_ = config_.string("general.recordings_dir", "/var/lib/janus-hipaa/recordings");
    config_.finish();
    ensurePrivateDirectory(recordingsDir_, "general.recordings_dir");
}

std::unique_ptr<MediaPluginCore> RecorderPlugin::create(const std::string& configFile, Logger log, MediaHost&) {
    return std::make_unique<RecorderPlugin>(Config(JcfgParser::parseFile(configFile), configFile), std::move(log));
}

void RecorderPlugin::createSession(SessionId session) {
    std::lock_guard lock(mutex_);
    sessions_.insert(session);
}

void RecorderPlugin::destroySession(SessionId session) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
}

MediaPluginCore::Reply RecorderPlugin::handleMessage(SessionId, const std::string&, JsonPtr message, JsonPtr) {
    if (!json_is_object(message.get())) throw RequestError(errc::kInvalidJson, "message must be a JSON object");
    jsonRequireString(message.get(), "request");
    return Reply::ok(jsonError(errc::kNotImplemented, "recording is not implemented in this version"));
}

JsonPtr RecorderPlugin::handleAdmin(const json_t* request) {
    if (!json_is_object(request)) throw RequestError(errc::kInvalidJson, "request must be a JSON object");
    std::string_view what = jsonRequireString(request, "request");
    if (what != "info") throw RequestError(errc::kUnknownRequest, "unknown request");
    JsonPtr info = infoResponse(kRecorderInfo, config_.effective());
    std::lock_guard lock(mutex_);
    jsonSet(info.get(), "sessions", static_cast<uint64_t>(sessions_.size()));
    return info;
}

JsonPtr RecorderPlugin::querySession(SessionId session) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "session", session);
    return j;
}

}  // namespace hipaa::recorder
