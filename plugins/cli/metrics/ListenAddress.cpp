// SPDX-License-Identifier: GPL-3.0-or-later
#include "ListenAddress.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace hipaa::metrics {

ListenAddress ListenAddress::parse(std::string_view text) {
    auto fail = [&](const std::string& why) {
        return std::invalid_argument("listen address " + std::string(text) + ": " + why);
    };
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) throw fail("expected HOST:PORT");
    std::string_view host = text.substr(0, colon), portText = text.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (portText.empty() || ec != std::errc() || end != portText.data() + portText.size() || port > 65535)
        throw fail("the port must be a number from 0 to 65535");
    ListenAddress a;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        std::string ip(host.substr(1, host.size() - 2));
        sockaddr_in6 s6{};
        s6.sin6_family = AF_INET6;
        s6.sin6_port = htons(static_cast<uint16_t>(port));
        if (inet_pton(AF_INET6, ip.c_str(), &s6.sin6_addr) != 1) throw fail("not an IPv6 address");
        const in6_addr& v = s6.sin6_addr;
        a.loopback_ = IN6_IS_ADDR_LOOPBACK(&v) || (IN6_IS_ADDR_V4MAPPED(&v) && v.s6_addr[12] == 127);
        std::memcpy(&a.addr_, &s6, sizeof s6);
        a.length_ = sizeof s6;
        return a;
    }
    std::string ip = host == "localhost" ? std::string("127.0.0.1") : std::string(host);
    sockaddr_in s4{};
    s4.sin_family = AF_INET;
    s4.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, ip.c_str(), &s4.sin_addr) != 1)
        throw fail("the host must be an IPv4 address, [an IPv6 address] or localhost");
    a.loopback_ = (ntohl(s4.sin_addr.s_addr) >> 24) == 127;
    std::memcpy(&a.addr_, &s4, sizeof s4);
    a.length_ = sizeof s4;
    return a;
}

}  // namespace hipaa::metrics
