// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/SecretFile.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace hipaa {
namespace {

std::string modeString(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

bool trustedOwner(uid_t uid) { return uid == ::geteuid() || uid == 0; }

void checkFolder(const std::string& path, const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw ConfigError("secret file " + path + ": cannot check folder " + dir);
    if (!trustedOwner(st.st_uid))
        throw ConfigError("secret file " + path + ": folder " + dir + " is owned by uid " + std::to_string(st.st_uid) +
                          ": must be owned by uid " + std::to_string(::geteuid()) + " (Janus) or root");
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)
        throw ConfigError("secret file " + path + ": folder " + dir + " is writable by group or others (mode " +
                          modeString(st.st_mode) + "; chmod go-w " + dir + ")");
}

// Every folder above `file` up to /: whoever can write to one of them can rename the file or a folder
// below it and put their own key in its place.
void checkFolders(const std::string& path, std::string file) {
    while (file.size() > 1) {
        size_t slash = file.rfind('/');
        if (slash == std::string::npos) return;
        file.resize(slash == 0 ? 1 : slash);
        checkFolder(path, file);
    }
}

}  // namespace

Bytes readSecretFile(const std::string& path) {
    int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (raw < 0) throw ConfigError("cannot open secret file " + path + " (missing, unreadable or a symlink)");
    struct Fd {
        int fd;
        ~Fd() { ::close(fd); }
    } fd{raw};
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw ConfigError("secret file is not a regular file: " + path);
    if (!trustedOwner(st.st_uid))
        throw ConfigError("secret file " + path + " is owned by uid " + std::to_string(st.st_uid) +
                          ": must be owned by uid " + std::to_string(::geteuid()) + " (Janus) or root");
    if ((st.st_mode & 077) != 0)
        throw ConfigError("secret file " + path + " has mode " + modeString(st.st_mode) +
                          ": must be 0600 or 0400 (chmod 600 " + path + ")");
    std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
    struct stat again {};
    // The name must still lead to the file opened (no swap between open and the folder check).
    if (!resolved || ::stat(resolved.get(), &again) != 0 || again.st_dev != st.st_dev || again.st_ino != st.st_ino)
        throw ConfigError("secret file " + path + " changed while it was checked");
    // The folders the file really is in, and those the configured name passes through (one of them
    // may hold a symlink to a folder).
    checkFolders(path, resolved.get());
    if (path.front() == '/') checkFolders(path, path);
    if (st.st_size > 1 << 20) throw ConfigError("secret file too large: " + path);
    Bytes out(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < out.size()) {
        ssize_t n = ::read(fd.fd, out.data() + got, out.size() - got);
        if (n < 0) throw ConfigError("cannot read secret file " + path);
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
}

Bytes readSecretKeyFile(const std::string& path, size_t expectedSize) {
    Bytes raw = readSecretFile(path);
    if (raw.size() == expectedSize) return raw;  // binary key
    std::string text(raw.begin(), raw.end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    if (auto hex = hexDecode(text); hex && hex->size() == expectedSize) return *hex;
    if (auto b64 = base64Decode(text); b64 && b64->size() == expectedSize) return *b64;
    throw ConfigError("secret key file " + path + " must hold " + std::to_string(expectedSize) +
                      " bytes (raw, hex or base64)");
}

}  // namespace hipaa
