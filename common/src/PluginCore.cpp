#include "hipaa/PluginCore.hpp"

namespace hipaa {
namespace {

// The default route: a session id, sent through the host's per-call lookups.
class SessionRoute final : public MediaRoute {
public:
    SessionRoute(MediaHost& host, SessionId session) : host_(host), session_(session) {}
    void relayRtp(const MediaPacket& p) noexcept override { host_.relayRtp(session_, p); }
    void relayData(const char* label, bool binary, const uint8_t* data, size_t length) noexcept override {
        host_.relayData(session_, label, binary, data, length);
    }
    void sendPli(int mindex) noexcept override { host_.sendPli(session_, mindex); }
    void sendRemb(uint32_t bps) noexcept override { host_.sendRemb(session_, bps); }

private:
    MediaHost& host_;
    SessionId session_;
};

}  // namespace

std::unique_ptr<MediaRoute> MediaHost::route(SessionId session) {
    return std::make_unique<SessionRoute>(*this, session);
}

JsonPtr infoResponse(const PluginInfo& info, JsonPtr effectiveConfig) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "plugin", info.package);
    jsonSet(j.get(), "name", info.name);
    jsonSet(j.get(), "version", info.versionString);
    jsonSet(j.get(), "version_num", info.version);
    jsonSet(j.get(), "config", effectiveConfig ? std::move(effectiveConfig) : jsonObject());
    return j;
}

}  // namespace hipaa
