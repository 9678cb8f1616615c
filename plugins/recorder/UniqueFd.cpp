#include "UniqueFd.hpp"

#include "hipaa/Errors.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdio>

namespace hipaa::recorder {

void writeAll(int fd, ByteView data, const char* what) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error(errc::kInternal, std::string("write failed: ") + what);
        done += static_cast<size_t>(n);
    }
}

void writeAllv(int fd, ByteView a, ByteView b, const char* what) {
    iovec iov[2] = {{const_cast<uint8_t*>(a.data()), a.size()}, {const_cast<uint8_t*>(b.data()), b.size()}};
    ssize_t n;
    do {
        n = ::writev(fd, iov, 2);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw Error(errc::kInternal, std::string("write failed: ") + what);
    size_t done = static_cast<size_t>(n);
    if (done < a.size()) {
        writeAll(fd, a.subspan(done), what);
        writeAll(fd, b, what);
    } else if (done < a.size() + b.size()) {
        writeAll(fd, b.subspan(done - a.size()), what);
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
    {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (!fd) throw Error(errc::kInternal, "cannot create file");
        ::fchmod(fd.get(), mode);
        writeAll(fd.get(), data, "atomic file");
        if (::fsync(fd.get()) != 0) throw Error(errc::kInternal, "fsync failed");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw Error(errc::kInternal, "rename failed");
    }
}

}  // namespace hipaa::recorder
