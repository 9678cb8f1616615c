// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/ClusterConfig.hpp"

#include "hipaa/Errors.hpp"

#include <unistd.h>

#include <algorithm>

namespace hipaa {

namespace {

bool validInstanceId(const std::string& id) {
    if (id.empty() || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](unsigned char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
               ch == '-' || ch == '.';
    });
}

bool validUrl(const std::string& url) {
    if (url.size() > 1024) return false;
    for (const char* scheme : {"http://", "https://", "ws://", "wss://"}) {
        std::string s(scheme);
        if (url.rfind(s, 0) == 0 && url.size() > s.size())
            return url.find_first_of(" \t\r\n\"'<>\\") == std::string::npos;
    }
    return false;
}

}  // namespace

std::string ClusterConfig::defaultInstanceId() {
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) != 0 || !validInstanceId(buf)) return "janus";
    return buf;
}

ClusterConfig ClusterConfig::read(Config& config, bool withPublicUrl) {
    ClusterConfig c;
    c.conninfo = config.secret("cluster.conninfo", std::string());
    c.instanceId = config.string("cluster.instance_id", defaultInstanceId());
    if (!validInstanceId(c.instanceId))
        throw ConfigError("cluster.instance_id: 1 to 64 characters of A-Z a-z 0-9 _ - .");
    if (withPublicUrl) {
        c.publicUrl = config.string("cluster.public_url", std::string());
        if (!c.publicUrl.empty() && !validUrl(c.publicUrl))
            throw ConfigError("cluster.public_url: an http, https, ws or wss URL");
        if (c.shared() && c.publicUrl.empty())
            throw ConfigError(
                "cluster.public_url: required with cluster.conninfo (joins sent to another instance are "
                "redirected there)");
    }
    return c;
}

}  // namespace hipaa
