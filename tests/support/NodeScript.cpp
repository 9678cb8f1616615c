// SPDX-License-Identifier: GPL-3.0-or-later
#include "NodeScript.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace hipaa::test {

std::string NodeScript::e2eDir() { return std::string(HIPAA_SOURCE_DIR) + "/tests/e2e"; }

NodeScript::NodeScript(const std::string& script, const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv{"node", e2eDir() + "/" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;  // built before fork: the child only calls async-signal-safe functions
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
        ::dup2(fds[1], 1);
        ::execvp("node", cargv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
}

NodeScript::~NodeScript() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) ::close(out_);
}

bool NodeScript::readSome(std::chrono::milliseconds timeout) {
    if (out_ < 0) return false;
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;  // nothing (yet)
    char buf[4096];
    ssize_t n = ::read(out_, buf, sizeof buf);
    if (n <= 0) {  // EOF: the script (and anything holding its stdout) is gone
        ::close(out_);
        out_ = -1;
        return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
        lines_.push_back(buffer_.substr(0, nl));
        buffer_.erase(0, nl + 1);
    }
    return true;
}

std::optional<std::string> NodeScript::waitLine(const std::string& prefix, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        for (; consumed_ < lines_.size(); ++consumed_) {
            if (lines_[consumed_].rfind(prefix, 0) == 0) return lines_[consumed_++].substr(prefix.size());
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        if (!readSome(std::min(left, std::chrono::milliseconds(200))) && out_ < 0 && consumed_ >= lines_.size())
            return std::nullopt;
    }
}

int NodeScript::wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        readSome(std::chrono::milliseconds(50));  // keep draining so the child never blocks on a full pipe
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            while (readSome(std::chrono::milliseconds(0))) {
            }
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        if (out_ < 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
}

void NodeScript::terminate() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
}

}  // namespace hipaa::test
