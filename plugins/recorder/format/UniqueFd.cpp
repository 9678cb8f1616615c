// SPDX-License-Identifier: GPL-3.0-or-later
#include "UniqueFd.hpp"

#include "WriteError.hpp"
#include "hipaa/Errors.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

namespace hipaa::recorder {

void writeAll(int fd, ByteView data, const char* what) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw WriteError(n < 0 ? errno : EIO, std::string("write failed: ") + what);
        done += static_cast<size_t>(n);
    }
}

Bytes readWholeFile(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error(errc::kInternal, "cannot open recording file");
    Bytes out;
    uint8_t buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(errc::kInternal, "cannot read recording file");
        if (n == 0) break;
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}

void writeFileAtomic(const std::string& path, ByteView data, unsigned mode) {
    std::string tmp = path + ".tmp";
    try {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (!fd) throw WriteError(errno, "cannot create file");
        ::fchmod(fd.get(), mode);
        writeAll(fd.get(), data, "atomic file");
        if (::fsync(fd.get()) != 0) throw WriteError(errno, "fsync failed");
    } catch (const WriteError&) {
        ::unlink(tmp.c_str());  // a full disk must not keep half-written temp files
        throw;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw Error(errc::kInternal, "rename failed");
    }
}

}  // namespace hipaa::recorder
