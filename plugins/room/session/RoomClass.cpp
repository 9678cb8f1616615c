// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomClass.hpp"

#include "hipaa/Errors.hpp"

namespace hipaa::room {
namespace {

std::set<Role> roleSet(const std::vector<std::string>& names, const std::string& key) {
    std::set<Role> out;
    for (const auto& n : names) {
        auto r = parseRole(n);
        if (!r) throw ConfigError(key + ": unknown role " + n);
        out.insert(*r);
    }
    return out;
}

std::vector<std::string> names(const std::set<Role>& roles) {
    std::vector<std::string> out;
    out.reserve(roles.size());
    for (Role r : roles) out.emplace_back(roleName(r));
    return out;
}

}  // namespace

RoomClass RoomClass::fromConfig(Config& config, const std::string& name) {
    RoomClass c;
    c.name = name;
    const std::string cat = "class-" + name + ".";
    c.roles = roleSet(config.stringList(cat + "roles", names(c.roles)), cat + "roles");
    for (Role r : kAllRoles) {
        Permissions& p = c.perms[static_cast<size_t>(r)];
        const std::string narrowKey = cat + "narrow_" + roleName(r);
        for (const auto& cap : config.stringList(narrowKey, {}))
            if (!applyCapability(p, cap, false)) throw ConfigError(narrowKey + ": unknown capability " + cap);
        // Widening is deliberate and visible in the config under its own key.
        const std::string widenKey = cat + "widen_" + roleName(r);
        for (const auto& cap : config.stringList(widenKey, {}))
            if (!applyCapability(p, cap, true)) throw ConfigError(widenKey + ": unknown capability " + cap);
    }
    for (Role r : roleSet(config.stringList(cat + "auto_admit", {}), cat + "auto_admit"))
        c.perms[static_cast<size_t>(r)].skipWaiting = true;
    c.mfaRoles = roleSet(config.stringList(cat + "mfa_roles", names(c.mfaRoles)), cat + "mfa_roles");
    c.dobCheck = config.boolean(cat + "dob_check", false);
    c.allowHs256 = config.boolean(cat + "allow_hs256", false);
    c.idleTimeoutS = config.integer(cat + "idle_timeout", c.idleTimeoutS, 1, int64_t{24} * 3600);
    c.maxVisitS = config.integer(cat + "max_visit", c.maxVisitS, 1, int64_t{7} * 24 * 3600);
    std::string policy = config.string(cat + "token_expiry", "end");
    if (policy != "end" && policy != "allow") throw ConfigError(cat + "token_expiry: must be end or allow");
    c.endOnTokenExpiry = policy == "end";
    c.e2ee = config.boolean(cat + "e2ee", false);
    c.recordConsent = config.boolean(cat + "record_consent", true);
    c.bitrate = static_cast<uint32_t>(config.integer(cat + "bitrate", 0, 0, 100000000));
    c.publishers = static_cast<int>(config.integer(cat + "publishers", c.publishers, 1, 64));
    c.videoCodecs = config.stringList(cat + "videocodec", c.videoCodecs);
    if (c.videoCodecs.empty()) throw ConfigError(cat + "videocodec: at least one of vp8, vp9, h264");
    for (const auto& v : c.videoCodecs)
        if (v != "vp8" && v != "vp9" && v != "h264")
            throw ConfigError(cat + "videocodec: unknown codec " + v + " (vp8, vp9, h264)");
    std::string chat = config.string(cat + "chat", "relay");
    if (chat != "relay" && chat != "record") throw ConfigError(cat + "chat: must be \"relay\" or \"record\"");
    c.chatKept = chat == "record";
    std::string documents = config.string(cat + "documents", "relay");
    if (documents != "relay" && documents != "record")
        throw ConfigError(cat + "documents: must be \"relay\" or \"record\"");
    c.documentsKept = documents == "record";
    c.keptToEhr = config.boolean(cat + "kept_to_ehr", true);
    c.shareDocument =
        roleSet(config.stringList(cat + "share_document", names(c.shareDocument)), cat + "share_document");
    c.documentMaxBytes =
        static_cast<uint64_t>(config.integer(cat + "document_max_bytes", int64_t{10} << 20, 1, int64_t{64} << 20));
    c.recordingPolicy = config.string(cat + "recording_policy", "");
    for (char ch : c.recordingPolicy)
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '_'))
            throw ConfigError(cat + "recording_policy: must be a policy name of [A-Za-z0-9_-]");
    return c;
}

}  // namespace hipaa::room
