// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `janus-hipaa check-config`: validates janus-hipaa's .jcfg files offline, with the plugins' own
// readers (RoomConfig, RecorderConfig, AuditConfig, FhirConfig, AuditPolicy), without Janus, a
// database or the network: syntax, every key's type and range, unknown keys, and how keys fit
// together. With `files`, also the files they name (key files by the secret-file rules, the audit
// policy, the FHIR CA file), as each plugin opens them at init: run that as the user Janus runs as.
#include <string>
#include <vector>

namespace hipaa::cli {

class ConfigCheck {
public:
    struct Result {
        std::string file;
        std::string plugin;  // the Janus package the file configures
        bool ok = false;
        std::string message;  // what is wrong, naming the file and the key; or a note when ok
    };

    // Every janus-hipaa config in `dir` (janus.plugin.hipaa.*.jcfg, janus.eventhandler.hipaa.*.jcfg;
    // with `samples`, their .jcfg.sample too), in name order. Empty when there is none; throws
    // std::filesystem::filesystem_error when `dir` cannot be read.
    static std::vector<Result> directory(const std::string& dir, bool files, bool samples);
    // One file, recognised by its name (a .sample suffix is ignored).
    static Result file(const std::string& path, bool files);
    // The package a config file name belongs to ("" when it is not one of ours).
    static std::string pluginOf(const std::string& fileName);
};

}  // namespace hipaa::cli
