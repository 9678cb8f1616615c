// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigCheck.hpp"

#include "AuditConfig.hpp"
#include "FhirConfig.hpp"
#include "PluginNames.hpp"
#include "RecorderConfig.hpp"
#include "RoomConfig.hpp"

#include "hipaa/Config.hpp"
#include "hipaa/JcfgParser.hpp"

#include <algorithm>
#include <filesystem>
#include <string_view>

namespace hipaa::cli {
namespace {

constexpr std::string_view kPolicySuffix = " (scrub policy)";

std::string withoutSample(std::string name) {
    constexpr std::string_view kSample = ".sample";
    if (name.size() > kSample.size() && name.compare(name.size() - kSample.size(), kSample.size(), kSample) == 0)
        name.resize(name.size() - kSample.size());
    return name;
}

// "FILE: what": the plugins' messages name the key, some also the file.
std::string inFile(const std::string& path, const std::string& message) {
    return message.rfind(path + ":", 0) == 0 ? message : path + ": " + message;
}

// Runs the plugin's own reader (and loaders) on one parsed config; returns a note ("" when none).
std::string check(const std::string& plugin, Config& config, bool files) {
    if (plugin == plugins::kRoom) {
        room::RoomConfig c = room::RoomConfig::read(config);
        if (files) c.loadKeys();
    } else if (plugin == plugins::kRecorder) {
        recorder::RecorderConfig c = recorder::RecorderConfig::read(config);
        if (files) {
            c.loadKeyring();
            c.loadSigner();
        }
    } else if (plugin == plugins::kAudit) {
        if (!audit::AuditConfig::enabled(config)) return "general.enabled = false: the handler stays unloaded";
        audit::AuditConfig c = audit::AuditConfig::read(config);
        if (files) {
            c.loadPolicy();
            c.loadPseudonymizer();
            c.loadSigner();
            c.loadSpoolKey();
            c.loadTrustedKeys();
            c.actors.loadVerifier();
        }
    } else if (plugin == plugins::kFhir) {
        if (!fhir::FhirConfig::enabled(config)) return "general.enabled = false: the handler stays unloaded";
        fhir::FhirConfig c = fhir::FhirConfig::read(config);
        if (files) {
            c.checkCaFile();
            c.loadCipher();
            c.makeAuth();
            c.actors.loadVerifier();
        }
    }
    return "";
}

}  // namespace

std::string ConfigCheck::pluginOf(const std::string& fileName) {
    std::string name = withoutSample(std::filesystem::path(fileName).filename().string());
    for (const char* p : {plugins::kRoom, plugins::kRecorder, plugins::kAudit, plugins::kFhir})
        if (name == std::string(p) + ".jcfg") return p;
    if (name == std::string(plugins::kAudit) + ".policy.jcfg")
        return std::string(plugins::kAudit) + kPolicySuffix.data();
    return "";
}

ConfigCheck::Result ConfigCheck::file(const std::string& path, bool files) {
    Result r{path, pluginOf(path), false, ""};
    try {
        if (r.plugin.empty()) {
            r.message = path +
                        ": not a janus-hipaa config (janus.plugin.hipaa.{room,recorder}.jcfg, "
                        "janus.eventhandler.hipaa.{audit,fhir}.jcfg, janus.eventhandler.hipaa.audit.policy.jcfg)";
            return r;
        }
        if (r.plugin.ends_with(kPolicySuffix)) {
            audit::AuditPolicy::fromFile(path);
        } else {
            Config config(JcfgParser::parseFile(path), path);
            r.message = check(r.plugin, config, files);
        }
        r.ok = true;
    } catch (const std::exception& e) {
        r.message = inFile(path, e.what());
    }
    return r;
}

std::vector<ConfigCheck::Result> ConfigCheck::directory(const std::string& dir, bool files, bool samples) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::string name = entry.path().filename().string();
        bool sample = name.ends_with(".sample");
        if ((!sample || samples) && !pluginOf(name).empty() && entry.is_regular_file()) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    std::vector<Result> out;
    out.reserve(names.size());
    for (const auto& name : names) out.push_back(file((std::filesystem::path(dir) / name).string(), files));
    return out;
}

}  // namespace hipaa::cli
