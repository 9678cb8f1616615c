// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Move-only owner of a POSIX file descriptor.
#include "hipaa/Bytes.hpp"

#include <unistd.h>

#include <string>
#include <utility>

namespace hipaa::recorder {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~UniqueFd() { reset(); }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// Writes all of `data` (retrying on EINTR/short writes); throws WriteError (errno) naming `what`.
void writeAll(int fd, ByteView data, const char* what);
// Reads a whole file; throws Error(kInternal) if it cannot be opened or read.
Bytes readWholeFile(const std::string& path);
// Writes `data` to `path` atomically (temp file, fsync, rename) with the given mode.
void writeFileAtomic(const std::string& path, ByteView data, unsigned mode = 0600);

}  // namespace hipaa::recorder
