// SPDX-License-Identifier: GPL-3.0-or-later
#include "EvidenceSources.hpp"

#include "../AdminError.hpp"
#include "../PluginNames.hpp"

namespace hipaa::cli {
namespace {

bool mediaPlugin(const std::string& plugin) { return plugin.starts_with("janus.plugin."); }

}  // namespace

void EvidenceSources::fetchInfo() {
    for (const char* p : {plugins::kRoom, plugins::kRecorder, plugins::kAudit, plugins::kFhir}) {
        try {
            info[p] = ask(p, JsonBuilder().set("request", "info"));
        } catch (const AdminError& e) {
            infoError[p] = e.what();
        }
    }
}

const json_t* EvidenceSources::config(const std::string& plugin) const {
    auto it = info.find(plugin);
    return it == info.end() ? nullptr : json_object_get(it->second.get(), "config");
}

JsonPtr EvidenceSources::ask(const std::string& plugin, JsonBuilder request) const {
    JsonPtr r = std::move(request).build();
    return mediaPlugin(plugin) ? api.plugin(plugin, r.get()) : api.handler(plugin, r.get());
}

}  // namespace hipaa::cli
