// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/ConfigTrail.hpp"

#include "hipaa/AuditTrail.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/ErrnoText.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/JsonBuilder.hpp"
#include "hipaa/PrivateFile.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/UniqueFd.hpp"
#include "hipaa/Zeroize.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>

namespace hipaa {
namespace {

constexpr size_t kSaltBytes = 32;
constexpr off_t kMaxStateBytes = off_t{4} * 1024 * 1024;

struct State {
    Bytes salt;
    std::string digest;
    std::map<std::string, std::string> keys;  // path -> hex HMAC
};

// "category.key" -> what identifies its value: the canonical JSON of the effective value, or the
// inline secret's fingerprint (effective() shows every secret as "<redacted>").
std::map<std::string, std::string> values(const Config& config, const json_t* effective) {
    std::map<std::string, std::string> out;
    const char* cat;
    const json_t* keys;
    json_object_foreach(const_cast<json_t*>(effective), cat, keys) {
        const char* key;
        const json_t* v;
        json_object_foreach(const_cast<json_t*>(keys), key, v) {
            std::string path = std::string(cat) + "." + key;
            auto secret = config.secretFingerprints().find(path);
            out[path] =
                secret != config.secretFingerprints().end() ? "secret:" + secret->second : "value:" + jsonDump(v);
        }
    }
    return out;
}

std::string keyed(const Bytes& salt, const std::string& path, const std::string& value) {
    std::string input = path + '\0' + value;
    std::string mac = hexEncode(hmacSha256(salt, asBytes(input)));
    zeroize(input.data(), input.size());
    return mac;
}

// The previous state, or nullopt with `why` (missing: why stays empty).
std::optional<State> readState(const std::string& file, std::string& why) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        if (errno != ENOENT) why = "cannot open " + file + ": " + errnoText(errno);
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        why = file + " is not a regular file";
        return std::nullopt;
    }
    if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
        why = file + " is not this user's alone (owner and mode 0600): not trusted";
        return std::nullopt;
    }
    if (st.st_size > kMaxStateBytes) {
        why = file + " is too large";
        return std::nullopt;
    }
    std::string text(static_cast<size_t>(st.st_size), '\0');
    size_t got = 0;
    while (got < text.size()) {
        ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    text.resize(got);
    State s;
    try {
        JsonPtr j = jsonParse(text);
        auto salt = hexDecode(jsonString(j.get(), "salt").value_or(""));
        s.digest = std::string(jsonString(j.get(), "digest").value_or(""));
        const json_t* keys = json_object_get(j.get(), "keys");
        if (jsonInt(j.get(), "version").value_or(0) != 1 || !salt || salt->size() != kSaltBytes ||
            s.digest.size() != 64 || !json_is_object(keys))
            throw Error(errc::kConfig, "malformed");
        s.salt = std::move(*salt);
        const char* k;
        const json_t* v;
        json_object_foreach(const_cast<json_t*>(keys), k, v) {
            if (!json_is_string(v)) throw Error(errc::kConfig, "malformed");
            s.keys[k] = json_string_value(v);
        }
    } catch (const std::exception&) {
        why = file + " is malformed: not trusted";
        return std::nullopt;
    }
    return s;
}

// Temporary file, fsync, rename over, fsync the folder: a crash leaves the old or the new state.
void writeState(const std::string& file, const State& s) {
    JsonBuilder keys;
    for (const auto& [k, v] : s.keys) keys.set(k.c_str(), std::string_view(v));
    std::string text = jsonDump(JsonBuilder()
                                    .set("version", int64_t{1})
                                    .set("salt", std::string_view(hexEncode(s.salt)))
                                    .set("digest", std::string_view(s.digest))
                                    .set("keys", std::move(keys).build())
                                    .build()
                                    .get(),
                                JSON_INDENT(1) | JSON_SORT_KEYS) +
                       "\n";
    const std::string dir = file.find('/') == std::string::npos ? "." : file.substr(0, file.rfind('/'));
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw Error(errc::kConfig, "cannot create " + dir + ": " + errnoText(errno));
    PrivateFile::write(file, text);
}

JsonPtr names(const std::vector<std::string>& list) {
    JsonPtr a = jsonArray();
    for (const auto& n : list) json_array_append_new(a.get(), json_string(n.c_str()));
    return a;
}

}  // namespace

ConfigTrail::Diff ConfigTrail::update(const Config& config, const std::string& stateFile) {
    Diff d;
    JsonPtr effective = config.effective();
    d.digest = hexEncode(sha256(asBytes(jsonDump(effective.get()))));
    std::string why;
    std::optional<State> previous = readState(stateFile, why);
    d.state = previous ? "ok" : why.empty() ? "new" : "untrusted";
    d.warning = why;

    State next;
    next.salt = previous ? previous->salt : secureRandomBytes(kSaltBytes);
    next.digest = d.digest;
    for (const auto& [path, value] : values(config, effective.get())) {
        next.keys[path] = keyed(next.salt, path, value);
        if (!previous || !previous->keys.count(path))
            d.added.push_back(path);
        else if (previous->keys.at(path) != next.keys[path])
            d.changed.push_back(path);
    }
    if (previous) {
        d.previousDigest = previous->digest;
        for (const auto& [path, mac] : previous->keys)
            if (!next.keys.count(path)) d.removed.push_back(path);
    }
    try {
        writeState(stateFile, next);
    } catch (const Error& e) {
        d.state = "unwritable";
        d.previousDigest.clear();
        d.warning = e.what();
    }
    return d;
}

JsonPtr ConfigTrail::object(const Diff& d) {
    return JsonBuilder()
        .set("digest", std::string_view(d.digest))
        .set("previous_digest",
             d.previousDigest.empty() ? jsonAdopt(json_null()) : jsonAdopt(json_string(d.previousDigest.c_str())))
        .set("changed", names(d.changed))
        .set("added", names(d.added))
        .set("removed", names(d.removed))
        .set("state", std::string_view(d.state))
        .build();
}

void ConfigTrail::record(const std::string& plugin, const Config& config, const std::string& stateFile,
                         const Logger& log) {
    Diff d = update(config, stateFile);
    if (!d.warning.empty()) log.warn("config trail: " + d.warning + " (recorded with the previous digest unknown)");
    AccessRecord r;
    r.plugin = plugin;
    r.action = "config.loaded";
    r.object = object(d);
    AuditTrail::recordWhenLoaded(std::move(r));
}

}  // namespace hipaa
