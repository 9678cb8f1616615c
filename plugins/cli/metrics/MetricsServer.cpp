// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricsServer.hpp"

#include "HttpRequestHead.hpp"
#include "PrometheusText.hpp"

#include "hipaa/ErrnoText.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>

namespace hipaa::metrics {
namespace {

using Deadline = std::chrono::steady_clock::time_point;

int msLeft(Deadline deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on fd until the deadline; false on timeout or error.
bool waitFor(int fd, short events, Deadline deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, msLeft(deadline));
        if (r > 0) return true;
        if (r == 0 || errno != EINTR) return false;
    }
}

const char* reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 431:
            return "Request Header Fields Too Large";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Internal Server Error";
    }
}

}  // namespace

MetricsServer::MetricsServer(Options options, Scrape scrape)
    : options_(std::move(options)), scrape_(std::move(scrape)) {
    ListenAddress address = ListenAddress::parse(options_.listen);
    if (!address.loopback() && !options_.allowNonLoopback)
        throw std::invalid_argument("listen address " + options_.listen +
                                    " is not a loopback address; the metrics describe a clinical system: keep them "
                                    "on loopback behind an authenticating proxy, or allow another address explicitly");
    listen_ = UniqueFd(::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!listen_) throw std::runtime_error(std::string("socket: ") + errnoText(errno));
    int one = 1;
    ::setsockopt(listen_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (address.family() == AF_INET6) ::setsockopt(listen_.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(listen_.get(), address.address(), address.length()) != 0)
        throw std::runtime_error("bind " + options_.listen + ": " + errnoText(errno));
    if (::listen(listen_.get(), 16) != 0) throw std::runtime_error(std::string("listen: ") + errnoText(errno));
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&bound), &len);
    port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                              : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    wake_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_) throw std::runtime_error(std::string("eventfd: ") + errnoText(errno));
}

void MetricsServer::stop() noexcept {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

void MetricsServer::run() {
    for (;;) {
        pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("poll: ") + errnoText(errno));
        }
        if (fds[1].revents) return;
        UniqueFd client(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (client) serve(client.get());
    }
}

std::string MetricsServer::response(int status, std::string_view body) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
    out += status == 200 ? "Content-Type: " + std::string(PrometheusText::kContentType) + "\r\n"
                         : std::string("Content-Type: text/plain; charset=utf-8\r\n");
    if (status == 405) out += "Allow: GET\r\n";
    out +=
        "Content-Length: " + std::to_string(body.size()) + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    out += body;
    return out;
}

void MetricsServer::serve(int client) {
    Deadline deadline = std::chrono::steady_clock::now() + options_.ioTimeout;
    std::string head;
    int status = 0;
    char buf[2048];
    while (!status && !HttpRequestHead::complete(head)) {
        if (head.size() > options_.maxRequestBytes) {
            status = 431;
            break;
        }
        if (!waitFor(client, POLLIN, deadline)) {
            status = 408;
            break;
        }
        ssize_t n = ::recv(client, buf, sizeof buf, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return;  // the peer went away
        head.append(buf, static_cast<size_t>(n));
    }
    if (!status) status = head.size() > options_.maxRequestBytes ? 431 : HttpRequestHead::status(head);
    std::string body;
    if (status == 200) {
        try {
            body = scrape_();
        } catch (const std::exception&) {
            status = 500;
        }
    }
    if (status != 200) body = std::string(reason(status)) + "\n";
    std::string out = response(status, body);
    // The scrape may have taken a while: the answer gets a fresh time budget of its own.
    deadline = std::chrono::steady_clock::now() + options_.ioTimeout;
    size_t sent = 0;
    while (sent < out.size()) {
        if (!waitFor(client, POLLOUT, deadline)) return;
        ssize_t n = ::send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
    }
    ::shutdown(client, SHUT_WR);
    // Unread input at close() would reset the connection, which may discard the answer at the peer.
    while (::recv(client, buf, sizeof buf, 0) > 0) {
    }
}

}  // namespace hipaa::metrics
