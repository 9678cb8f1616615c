// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/PrivateFile.hpp"

#include "hipaa/ErrnoText.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/UniqueFd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace hipaa {

void PrivateFile::write(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    ::unlink(tmp.c_str());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) throw ConfigError("cannot create " + tmp + ": " + errnoText(errno));
    size_t put = 0;
    while (put < text.size()) {
        ssize_t n = ::write(fd.get(), text.data() + put, text.size() - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = errno;
            ::unlink(tmp.c_str());
            throw ConfigError("cannot write " + tmp + ": " + errnoText(e));
        }
        put += static_cast<size_t>(n);
    }
    if (::fchmod(fd.get(), 0600) != 0 || ::fsync(fd.get()) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw ConfigError("cannot write " + path + ": " + errnoText(e));
    }
    const std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
    UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d) ::fsync(d.get());  // the rename itself survives a crash
}

}  // namespace hipaa
