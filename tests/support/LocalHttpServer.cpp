// SPDX-License-Identifier: GPL-3.0-or-later
#include "LocalHttpServer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <stdexcept>

namespace hipaa::test {

LocalHttpServer::LocalHttpServer(bool tls, std::string response)
    : tls_(tls), response_(std::move(response)), ctx_(nullptr, &SSL_CTX_free) {
    std::signal(SIGPIPE, SIG_IGN);  // the client may hang up in the middle of the body (that is the test)
    if (tls_) {
        caFile_ = dir_.file("cert.pem");
        std::string cmd = "cd '" + dir_.path() +
                          "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
                          "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem "
                          ">/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
        ctx_.reset(SSL_CTX_new(TLS_server_method()));
        if (!ctx_ || SSL_CTX_use_certificate_chain_file(ctx_.get(), caFile_.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx_.get(), dir_.file("key.pem").c_str(), SSL_FILETYPE_PEM) != 1)
            throw std::runtime_error("TLS setup failed");
    }
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (listen_ < 0 || ::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_, 16) != 0 ||
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
}

LocalHttpServer::~LocalHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_);
}

std::string LocalHttpServer::url(const std::string& path) const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::string LocalHttpServer::response(const std::string& status, const std::string& body,
                                      const std::string& extraHeaders) {
    return "HTTP/1.1 " + status + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extraHeaders +
           "Connection: close\r\n\r\n" + body;
}

void LocalHttpServer::run() {
    while (!stop_) {
        pollfd p{listen_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ++connections_;
        serve(fd);
        ::close(fd);
    }
}

void LocalHttpServer::serve(int fd) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::unique_ptr<SSL, void (*)(SSL*)> ssl(tls_ ? SSL_new(ctx_.get()) : nullptr, &SSL_free);
    if (tls_ && (!ssl || SSL_set_fd(ssl.get(), fd) != 1 || SSL_accept(ssl.get()) != 1)) return;
    auto recvSome = [&](char* b, size_t n) -> long {
        return tls_ ? SSL_read(ssl.get(), b, static_cast<int>(n)) : ::recv(fd, b, n, 0);
    };
    auto sendSome = [&](const char* b, size_t n) -> long {
        return tls_ ? SSL_write(ssl.get(), b, static_cast<int>(n)) : ::send(fd, b, n, MSG_NOSIGNAL);
    };
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
        long n = recvSome(buf, sizeof buf);
        if (n <= 0) return;
        head.append(buf, static_cast<size_t>(n));
    }
    for (size_t off = 0; off < response_.size();) {
        long n = sendSome(response_.data() + off, std::min<size_t>(response_.size() - off, 16384));
        if (n <= 0) return;  // the client stopped reading
        off += static_cast<size_t>(n);
    }
    if (tls_) SSL_shutdown(ssl.get());
}

}  // namespace hipaa::test
