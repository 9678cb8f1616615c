// SPDX-License-Identifier: GPL-3.0-or-later
#include "HttpRequestHead.hpp"

namespace hipaa::metrics {
namespace {

// RFC 9110 tchar
bool tokenChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool visible(char c) { return c > 0x20 && c < 0x7f; }

}  // namespace

bool HttpRequestHead::complete(std::string_view received) {
    return received.find("\r\n\r\n") != std::string_view::npos || received.find("\n\n") != std::string_view::npos;
}

int HttpRequestHead::status(std::string_view head) {
    size_t eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return 400;
    size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return 400;
    std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                     version = line.substr(sp2 + 1);
    if (method.empty() || target.empty() || target.front() != '/') return 400;
    for (char c : method)
        if (!tokenChar(c)) return 400;
    for (char c : target)
        if (!visible(c)) return 400;
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.') return 400;
    if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) return 505;
    if (method != "GET") return 405;
    std::string_view path = target.substr(0, target.find('?'));
    return path == "/metrics" ? 200 : 404;
}

}  // namespace hipaa::metrics
