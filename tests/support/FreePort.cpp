// SPDX-License-Identifier: GPL-3.0-or-later
#include "FreePort.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <random>
#include <set>
#include <stdexcept>

namespace hipaa::test {

namespace {
// Below Linux' ephemeral range (32768-60999): a port picked there can be taken by any outgoing
// connection (libpq, curl) of a parallel test before Janus binds it; here only another listener
// that picked the same random port can, which is rare and shows as a bind error, not a wrong peer.
constexpr int kLow = 20000, kHigh = 32000;

bool bindable(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}
}  // namespace

int freeLoopbackPort() {
    static std::mutex m;
    static std::set<int> handedOut;  // never hand the same port twice in one process
    static std::mt19937 rng{std::random_device{}()};
    std::lock_guard lock(m);
    std::uniform_int_distribution<int> pick(kLow, kHigh);
    for (int attempt = 0; attempt < 256; ++attempt) {
        int port = pick(rng);
        if (!handedOut.contains(port) && bindable(port)) {
            handedOut.insert(port);
            return port;
        }
    }
    throw std::runtime_error("no free loopback port");
}

}  // namespace hipaa::test
