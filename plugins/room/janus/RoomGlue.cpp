// SPDX-License-Identifier: GPL-3.0-or-later
// The janus_plugin table of janus.plugin.hipaa.room (see common/glue/hipaa/glue/MediaPluginGlue.hpp).
#include "RoomGlue.hpp"

#include "RoomPlugin.hpp"
#include "hipaa/glue/MediaPluginGlue.hpp"

// Exported by the janus 1.1.2 executable (src/janus.c) but not declared in the installed headers.
// Weak, so that a host without it leaves it null: we then cannot tell and refuse to start.
extern "C" gboolean janus_is_webrtc_encryption_enabled(void) __attribute__((weak));

namespace {
struct RoomTraits {
    static constexpr hipaa::PluginInfo kInfo = hipaa::room::kRoomInfo;
    static std::unique_ptr<hipaa::MediaPluginCore> create(const std::string& file, hipaa::Logger log,
                                                          hipaa::MediaHost& host) {
        // Janus reads no_webrtc_encryption (-w) before it loads plugins, so the answer is final here.
        if (!janus_is_webrtc_encryption_enabled)
            throw hipaa::ConfigError(
                "cannot tell whether WebRTC encryption is on (janus_is_webrtc_encryption_enabled missing)");
        if (!janus_is_webrtc_encryption_enabled())
            throw hipaa::ConfigError(
                "Janus runs with WebRTC encryption disabled (-w / no_webrtc_encryption): "
                "a HIPAA room never carries unencrypted media");
        return hipaa::room::RoomPlugin::create(file, std::move(log), host);
    }
};
}  // namespace

janus_plugin* hipaa_room_plugin() { return hipaa::glue::MediaPluginGlue<RoomTraits>::table(); }
