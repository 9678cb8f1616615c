// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Admin API address, checked before anything is sent: Janus' Admin API is plain HTTP and the admin
// secret travels in the body, so http:// is allowed only to a loopback address (127.0.0.0/8, ::1,
// localhost); any other host needs https:// (verified TLS). No user name or password in the URL.
#include <string>

namespace hipaa::cli {

class AdminUrl {
public:
    // Throws AdminError (Transport) naming what is wrong; never echoes a password part.
    static AdminUrl parse(std::string url);
    static bool loopbackHost(const std::string& host);

    const std::string& url() const { return url_; }
    const std::string& host() const { return host_; }
    bool https() const { return https_; }

private:
    std::string url_, host_;
    bool https_ = false;
};

}  // namespace hipaa::cli
