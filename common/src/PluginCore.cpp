// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/PluginCore.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

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
    return JsonBuilder()
        .set("plugin", info.package)
        .set("name", info.name)
        .set("version", info.versionString)
        .set("version_num", info.version)
        .set("config", effectiveConfig ? std::move(effectiveConfig) : jsonObject())
        .build();
}

JsonPtr envelopeAnswer(const PluginInfo& info, JsonPtr answer) {
    if (!json_is_object(answer.get())) answer = jsonError(errc::kInternal, "internal error");
    bool error = json_object_get(answer.get(), "error_code") != nullptr;
    json_object_set_new(answer.get(), info.envelope, json_string(error ? "error" : "success"));
    return answer;
}

}  // namespace hipaa
