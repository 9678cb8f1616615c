// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A tiny HTTP/1.1 responder on 127.0.0.1 for HTTP client tests (oversized bodies, redirects, plain
// http): every connection reads one request head and gets the same canned response, then is closed.
// With `tls`, it serves HTTPS with a throwaway self-signed certificate for 127.0.0.1 (caFile()).
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "TempDir.hpp"

typedef struct ssl_ctx_st SSL_CTX;

namespace hipaa::test {

class LocalHttpServer {
public:
    // `response`: the raw bytes sent back (status line, headers and body).
    LocalHttpServer(bool tls, std::string response);
    ~LocalHttpServer();
    LocalHttpServer(const LocalHttpServer&) = delete;
    LocalHttpServer& operator=(const LocalHttpServer&) = delete;

    int port() const { return port_; }
    std::string url(const std::string& path = "/") const;
    const std::string& caFile() const { return caFile_; }
    // Connections accepted so far.
    int connections() const { return connections_.load(); }

    // "HTTP/1.1 <status>" with Content-Length, `extraHeaders` ("Name: value\r\n" each) and `body`.
    static std::string response(const std::string& status, const std::string& body,
                                const std::string& extraHeaders = "");

private:
    void run();
    void serve(int fd);

    bool tls_;
    std::string response_;
    TempDir dir_;
    std::string caFile_;
    std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx_;
    int listen_ = -1, port_ = 0;
    std::atomic<int> connections_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace hipaa::test
