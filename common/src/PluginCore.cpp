#include "hipaa/PluginCore.hpp"

namespace hipaa {

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
