// The janus_plugin table of janus.plugin.hipaa.room (see common/glue/hipaa/glue/MediaPluginGlue.hpp).
#include "RoomGlue.hpp"

#include "RoomPlugin.hpp"
#include "hipaa/glue/MediaPluginGlue.hpp"

namespace {
struct RoomTraits {
    static constexpr hipaa::PluginInfo kInfo = hipaa::room::kRoomInfo;
    static std::unique_ptr<hipaa::MediaPluginCore> create(const std::string& file, hipaa::Logger log,
                                                          hipaa::MediaHost& host) {
        return hipaa::room::RoomPlugin::create(file, std::move(log), host);
    }
};
}  // namespace

janus_plugin* hipaa_room_plugin() { return hipaa::glue::MediaPluginGlue<RoomTraits>::table(); }
