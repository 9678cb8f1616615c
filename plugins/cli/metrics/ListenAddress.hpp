// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where the exporter listens: "IPV4:PORT", "[IPV6]:PORT" or "localhost:PORT" (127.0.0.1). Numeric
// addresses only (no name lookup): what is checked is what is bound.
#include <sys/socket.h>

#include <string>
#include <string_view>

namespace hipaa::metrics {

class ListenAddress {
public:
    // Throws std::invalid_argument naming what is wrong (the text is the operator's own argument).
    static ListenAddress parse(std::string_view text);

    // 127.0.0.0/8 or ::1 (an IPv4-mapped ::ffff:127.x too).
    bool loopback() const { return loopback_; }
    const sockaddr* address() const { return reinterpret_cast<const sockaddr*>(&addr_); }
    socklen_t length() const { return length_; }
    int family() const { return addr_.ss_family; }

private:
    sockaddr_storage addr_{};
    socklen_t length_ = 0;
    bool loopback_ = false;
};

}  // namespace hipaa::metrics
