// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RLIMIT_FSIZE (soft) for this whole process with SIGXFSZ ignored: writes past `bytes` fail with EFBIG,
// the way a full disk fails them with ENOSPC. lift() (or destruction) gives the room back.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>

namespace hipaa::test {

class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &old_);
        oldHandler_ = ::signal(SIGXFSZ, SIG_IGN);
        rlimit l = old_;
        l.rlim_cur = bytes;
        EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &l), 0);
    }
    ~FileSizeLimit() {
        lift();
        ::signal(SIGXFSZ, oldHandler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    void lift() { ::setrlimit(RLIMIT_FSIZE, &old_); }

private:
    rlimit old_{};
    sighandler_t oldHandler_ = SIG_DFL;
};

}  // namespace hipaa::test
