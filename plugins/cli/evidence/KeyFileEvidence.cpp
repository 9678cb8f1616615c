// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeyFileEvidence.hpp"

#include "../PluginNames.hpp"

#include "hipaa/ErrnoText.hpp"

#include <pwd.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

namespace hipaa::cli {
namespace {

std::string owner(uid_t uid) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    char buf[1024];
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
    return std::to_string(uid);
}

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

}  // namespace

bool KeyFileEvidence::isKeySetting(const std::string& key) {
    return key.ends_with("key_file") || key.ends_with("token_file") || key == "signing_key" || key == "keyring";
}

EvidenceSection KeyFileEvidence::collect(const EvidenceSources& src) {
    EvidenceSection s("keys", "Key files: modes, owners, ages, rotation",
                      "stat() now of every key file the plugins' effective configs name (and the files of the "
                      "recorder's keyring folder); rotation is due after " +
                          std::to_string(src.keyMaxAgeDays) + " days (--key-max-age-days).");
    // path -> the settings naming it ("plugin category.key"), each file once.
    std::map<std::string, std::set<std::string>> files;
    for (const char* p : {plugins::kRoom, plugins::kRecorder, plugins::kAudit, plugins::kFhir}) {
        const json_t* config = src.config(p);
        if (!config) {
            s.unchecked(std::string(p) + ": no config in its info answer: its key files are not listed");
            continue;
        }
        const char* cat;
        const json_t* keys;
        json_object_foreach(const_cast<json_t*>(config), cat, keys) {
            const char* key;
            const json_t* v;
            json_object_foreach(const_cast<json_t*>(keys), key, v) {
                auto path = json_string_value(v);
                if (!isKeySetting(key) || !path || *path != '/') continue;
                files[path].insert(std::string(p).substr(std::string(p).rfind('.') + 1) + " " + cat + "." + key);
            }
        }
    }
    // The keyring is a folder of versioned keys: each file is a key.
    std::map<std::string, std::set<std::string>> expanded;
    for (const auto& [path, by] : files) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
            std::error_code ec;
            for (const auto& entry : std::filesystem::directory_iterator(path, ec))
                if (!entry.path().filename().string().starts_with(".")) expanded[entry.path().string()] = by;
            if (ec) s.unchecked(path + ": cannot list: " + ec.message());
        } else {
            expanded[path] = by;
        }
    }
    s.columns({"file", "named by", "mode", "owner", "age (days)", "finding"});
    for (const auto& [path, by] : expanded) {
        std::string names;
        for (const auto& n : by) names += (names.empty() ? "" : ", ") + n;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) {
            s.unchecked(path + ": " + errnoText(errno));
            s.row({path, names, "", "", "", "could not stat"});
            continue;
        }
        const int64_t ageDays = (src.nowS - static_cast<int64_t>(st.st_mtime)) / 86400;
        std::string finding;
        if (S_ISLNK(st.st_mode))
            finding = "a symlink";
        else if (!S_ISREG(st.st_mode))
            finding = "not a regular file";
        else if ((st.st_mode & 077) != 0)
            finding = "group or others have access";
        else if (ageDays > src.keyMaxAgeDays)
            finding = "rotation due";
        if (!finding.empty()) s.fail(path + ": " + finding);
        s.row({path, names, octal(st.st_mode), owner(st.st_uid), std::to_string(ageDays),
               finding.empty() ? "ok" : finding});
    }
    if (expanded.empty()) s.unchecked("no key file found in the plugins' configs");
    return s;
}

}  // namespace hipaa::cli
