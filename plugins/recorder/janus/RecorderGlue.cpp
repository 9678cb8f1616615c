// SPDX-License-Identifier: GPL-3.0-or-later
// The janus_plugin table of janus.plugin.hipaa.recorder (see common/glue/hipaa/glue/MediaPluginGlue.hpp).
#include "RecorderGlue.hpp"

#include "RecorderPlugin.hpp"
#include "hipaa/glue/MediaPluginGlue.hpp"

namespace {
struct RecorderTraits {
    static constexpr hipaa::PluginInfo kInfo = hipaa::recorder::kRecorderInfo;
    static std::unique_ptr<hipaa::MediaPluginCore> create(const std::string& file, hipaa::Logger log,
                                                          hipaa::MediaHost& host) {
        return hipaa::recorder::RecorderPlugin::create(file, std::move(log), host);
    }
};
}  // namespace

janus_plugin* hipaa_recorder_plugin() { return hipaa::glue::MediaPluginGlue<RecorderTraits>::table(); }
