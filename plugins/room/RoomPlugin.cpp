#include "RoomPlugin.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"

namespace hipaa::room {

RoomPlugin::RoomPlugin(Config config, Logger log, MediaHost& host)
    : config_(std::move(config)), log_(std::move(log)), host_(host) {
    development_ = config_.boolean("general.development", false);
    std::string keyFile = config_.secretPath("general.pseudonym_key_file", "");
    if (!keyFile.empty()) pseudonyms_.emplace(Pseudonymizer::fromKeyFile(keyFile));
    config_.finish();
    if (development_) log_.warn("DEVELOPMENT MODE: this room plugin must not carry real patient visits");
}

std::unique_ptr<MediaPluginCore> RoomPlugin::create(const std::string& configFile, Logger log, MediaHost& host) {
    return std::make_unique<RoomPlugin>(Config(JcfgParser::parseFile(configFile), configFile), std::move(log), host);
}

void RoomPlugin::createSession(SessionId session) {
    std::lock_guard lock(mutex_);
    sessions_.insert(session);
}

void RoomPlugin::destroySession(SessionId session) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
}

MediaPluginCore::Reply RoomPlugin::handleMessage(SessionId, const std::string&, JsonPtr message, JsonPtr) {
    if (!json_is_object(message.get())) throw RequestError(errc::kInvalidJson, "message must be a JSON object");
    jsonRequireString(message.get(), "request");
    return Reply::ok(jsonError(errc::kNotImplemented, "the consult room API is not implemented in this version"));
}

JsonPtr RoomPlugin::handleAdmin(const json_t* request) {
    if (!json_is_object(request)) throw RequestError(errc::kInvalidJson, "request must be a JSON object");
    std::string_view what = jsonRequireString(request, "request");
    if (what != "info") throw RequestError(errc::kUnknownRequest, "unknown request");
    JsonPtr info = infoResponse(kRoomInfo, config_.effective());
    std::lock_guard lock(mutex_);
    jsonSet(info.get(), "sessions", static_cast<uint64_t>(sessions_.size()));
    jsonSet(info.get(), "pseudonym_key_loaded", pseudonyms_.has_value());
    return info;
}

JsonPtr RoomPlugin::querySession(SessionId session) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "session", session);
    return j;
}

}  // namespace hipaa::room
