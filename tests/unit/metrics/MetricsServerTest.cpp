// SPDX-License-Identifier: GPL-3.0-or-later
// The exporter's HTTP server on a real loopback socket, with raw TCP clients.
#include "MetricsServer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using hipaa::UniqueFd;
using namespace hipaa::metrics;
using namespace std::chrono_literals;

namespace {

// A server on 127.0.0.1:<free port> serving on its own thread while the test runs.
class RunningServer {
public:
    RunningServer(MetricsServer::Scrape scrape, MetricsServer::Options o = {})
        : server_(withPort0(o), std::move(scrape)) {
        thread_ = std::thread([this] { server_.run(); });
    }
    ~RunningServer() {
        server_.stop();
        thread_.join();
    }
    int port() const { return server_.port(); }

private:
    static MetricsServer::Options withPort0(MetricsServer::Options o) {
        o.listen = "127.0.0.1:0";
        return o;
    }
    MetricsServer server_;
    std::thread thread_;
};

UniqueFd connectTo(int port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect");
    timeval tv{10, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

void sendAll(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the server may close early (431)
        sent += static_cast<size_t>(n);
    }
}

std::string readAll(int fd) {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
    return out;
}

std::string exchange(int port, const std::string& request) {
    UniqueFd fd = connectTo(port);
    sendAll(fd.get(), request);
    return readAll(fd.get());
}

}  // namespace

TEST(MetricsServer, AnswersGetMetricsWithTheScrapeAndClosesTheConnection) {
    RunningServer s([] { return std::string("janus_hipaa_up{plugin=\"room\"} 1\n"); });
    std::string r = exchange(s.port(), "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n");
    EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
    EXPECT_NE(r.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos) << r;
    EXPECT_NE(r.find("\r\nContent-Length: 32\r\n"), std::string::npos) << r;
    EXPECT_NE(r.find("\r\nConnection: close\r\n"), std::string::npos) << r;
    EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), "janus_hipaa_up{plugin=\"room\"} 1\n");
}

TEST(MetricsServer, OtherRequestsGetTheirStatusAndNoScrape) {
    std::atomic<int> scrapes{0};
    RunningServer s([&] {
        ++scrapes;
        return std::string("x 1\n");
    });
    EXPECT_EQ(exchange(s.port(), "GET / HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404 ", 0), 0u);
    std::string post = exchange(s.port(), "POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nxx");
    EXPECT_EQ(post.rfind("HTTP/1.1 405 ", 0), 0u) << post;
    EXPECT_NE(post.find("\r\nAllow: GET\r\n"), std::string::npos);
    EXPECT_EQ(exchange(s.port(), "hello\r\n\r\n").rfind("HTTP/1.1 400 ", 0), 0u);
    EXPECT_EQ(exchange(s.port(), "GET /metrics HTTP/3.0\r\n\r\n").rfind("HTTP/1.1 505 ", 0), 0u);
    EXPECT_EQ(scrapes.load(), 0);
}

TEST(MetricsServer, ARequestHeadOverTheLimitIsRefused) {
    std::atomic<int> scrapes{0};
    MetricsServer::Options o;
    o.maxRequestBytes = 1024;
    RunningServer s(
        [&] {
            ++scrapes;
            return std::string("x 1\n");
        },
        o);
    std::string big = "GET /metrics HTTP/1.1\r\nX-Filler: " + std::string(4000, 'a') + "\r\n\r\n";
    EXPECT_EQ(exchange(s.port(), big).rfind("HTTP/1.1 431 ", 0), 0u);
    // Just under the limit is fine.
    std::string fits = "GET /metrics HTTP/1.1\r\nX-Filler: " + std::string(900, 'a') + "\r\n\r\n";
    EXPECT_EQ(exchange(s.port(), fits).rfind("HTTP/1.1 200 ", 0), 0u);
    EXPECT_EQ(scrapes.load(), 1);
}

TEST(MetricsServer, ASlowClientTimesOutAndTheNextOneIsServedOneAtATime) {
    std::atomic<int> inFlight{0}, most{0};
    MetricsServer::Options o;
    o.ioTimeout = 300ms;
    RunningServer s(
        [&] {
            most = std::max(most.load(), ++inFlight);
            std::this_thread::sleep_for(50ms);
            --inFlight;
            return std::string("x 1\n");
        },
        o);
    UniqueFd slow = connectTo(s.port());
    sendAll(slow.get(), "GET /metr");  // and nothing more
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i)
        clients.emplace_back([&] {
            if (exchange(s.port(), "GET /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200 ", 0) == 0) ++ok;
        });
    for (auto& c : clients) c.join();
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(readAll(slow.get()).rfind("HTTP/1.1 408 ", 0), 0u);
    EXPECT_EQ(ok.load(), 4);
    EXPECT_EQ(most.load(), 1);  // one scrape at a time
    EXPECT_GE(took, 250ms);     // the others waited for the slow one's timeout
}

TEST(MetricsServer, AFailingScrapeIs500WithoutItsText) {
    RunningServer s([]() -> std::string { throw std::runtime_error("secret detail"); });
    std::string r = exchange(s.port(), "GET /metrics HTTP/1.1\r\n\r\n");
    EXPECT_EQ(r.rfind("HTTP/1.1 500 ", 0), 0u) << r;
    EXPECT_EQ(r.find("secret"), std::string::npos);
}

TEST(MetricsServer, RefusesANonLoopbackAddressUnlessAllowed) {
    auto scrape = [] { return std::string(); };
    for (const char* a : {"0.0.0.0:0", "[::]:0", "192.0.2.1:9464"}) {
        MetricsServer::Options o;
        o.listen = a;
        try {
            MetricsServer server(o, scrape);
            ADD_FAILURE() << a << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("not a loopback address"), std::string::npos) << e.what();
        }
    }
    MetricsServer::Options o;
    o.listen = "192.0.2.1:9464";  // TEST-NET-1: allowed, then the bind itself fails (not on this host)
    o.allowNonLoopback = true;
    EXPECT_THROW((MetricsServer{o, scrape}), std::runtime_error);
}

TEST(MetricsServer, StopEndsRunAndThePortIsReleased) {
    int port;
    {
        RunningServer s([] { return std::string("x 1\n"); });
        port = s.port();
        EXPECT_EQ(exchange(port, "GET /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200 ", 0), 0u);
    }
    EXPECT_THROW(connectTo(port), std::runtime_error);
}
