// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A write to a recording, export or sidecar file failed (ENOSPC, EFBIG, EDQUOT, EIO ...). Carries the
// errno so that the recorder can report a stable, PHI-free reason (`no_space`, `file_too_large` ...).
#include <cerrno>

#include "hipaa/Errors.hpp"

namespace hipaa::recorder {

class WriteError : public Error {
public:
    WriteError(int errnum, const std::string& what) : Error(errc::kInternal, what), errnum_(errnum ? errnum : EIO) {}
    int errnum() const noexcept { return errnum_; }
    const char* reason() const noexcept { return reasonFor(errnum_); }

    // The reason recorded in events, `status` and the manifest for a failed write's errno.
    static const char* reasonFor(int errnum) noexcept {
        switch (errnum) {
            case ENOSPC:
                return "no_space";
            case EDQUOT:
                return "quota";
            case EFBIG:
                return "file_too_large";
            case EIO:
                return "io_error";
            default:
                return "write_error";
        }
    }

private:
    int errnum_;
};

}  // namespace hipaa::recorder
