// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChildRunner.hpp"

#include "hipaa/ErrnoText.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/UniqueFd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace hipaa::recorder {
namespace {

using Clock = std::chrono::steady_clock;

// In the child only: async-signal-safe calls, then exec or _exit.
[[noreturn]] void childMain(char* const* argv, int outFd, int errFd, const ChildLimits& limits) {
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(outFd, 1) < 0 || ::dup2(outFd, 2) < 0 || ::dup2(errFd, 3) < 0 ||
        ::fcntl(3, F_SETFD, FD_CLOEXEC) < 0) {
        int e = errno;
        (void)!::write(errFd, &e, sizeof e);
        ::_exit(127);
    }
    ::close_range(4, ~0U, 0);  // nothing of the plugin's (sockets, key files) reaches the helper
    struct rlimit cpu {
        static_cast<rlim_t>(limits.cpuSeconds), static_cast<rlim_t>(limits.cpuSeconds) + 1
    };
    struct rlimit fsize {
        static_cast<rlim_t>(limits.fileBytes), static_cast<rlim_t>(limits.fileBytes)
    };
    struct rlimit core {
        0, 0
    };  // no core dump of a process that held decrypted media
    ::setrlimit(RLIMIT_CPU, &cpu);
    ::setrlimit(RLIMIT_FSIZE, &fsize);
    ::setrlimit(RLIMIT_CORE, &core);
    sigset_t none;
    sigemptyset(&none);
    ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
    // Default dispositions (sigaction: async-signal-safe between fork and exec).
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGXFSZ, &dfl, nullptr);
    ::sigaction(SIGPIPE, &dfl, nullptr);
    char* const env[] = {const_cast<char*>("LC_ALL=C"), nullptr};
    ::execve(argv[0], argv, env);
    int e = errno;
    (void)!::write(3, &e, sizeof e);
    ::_exit(127);
}

struct Pipe {
    UniqueFd read, write;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(errc::kInternal, "cannot create a pipe: " + errnoText(errno));
        read.reset(fds[0]);
        write.reset(fds[1]);
    }
};

}  // namespace

std::string ChildResult::describe() const {
    switch (end) {
        case End::Exited:
            return "exit " + std::to_string(code);
        case End::Signaled:
            return "signal " + std::to_string(code);
        case End::TimedOut:
            return "timed out";
        case End::NotStarted:
            return "could not start (" + errnoText(code) + ")";
    }
    return "unknown";
}

ChildResult ChildRunner::run(const std::vector<std::string>& argv, const ChildLimits& limits) {
    ChildResult result;
    if (argv.empty() || argv[0].empty() || argv[0][0] != '/') {
        result.code = ENOENT;
        return result;
    }
    // Everything the child needs is built before fork (no allocation after it).
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    Pipe out, err;
    const Clock::time_point deadline = Clock::now() + limits.wallClock;
    pid_t pid = ::fork();
    if (pid < 0) throw Error(errc::kInternal, "cannot start a child process: " + errnoText(errno));
    if (pid == 0) childMain(args.data(), out.write.get(), err.write.get(), limits);
    ::setpgid(pid, pid);  // also here: no race with the kill below
    out.write.reset();
    err.write.reset();

    int execErrno = 0;
    if (::read(err.read.get(), &execErrno, sizeof execErrno) == static_cast<ssize_t>(sizeof execErrno)) {
        int status;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        result.end = ChildResult::End::NotStarted;
        result.code = execErrno;
        return result;
    }

    bool timedOut = false;
    char buf[4096];
    for (bool open = true; open;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            timedOut = true;
            break;
        }
        pollfd p{out.read.get(), POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (n < 0 && errno != EINTR) break;
        if (n <= 0) continue;
        ssize_t got = ::read(out.read.get(), buf, sizeof buf);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) {
            open = false;
            break;
        }
        size_t keep =
            std::min(static_cast<size_t>(got), limits.outputBytes - std::min(limits.outputBytes, result.output.size()));
        result.output.append(buf, keep);
        if (keep < static_cast<size_t>(got)) result.outputTruncated = true;
    }
    int status = 0;
    bool reaped = false;
    while (!timedOut) {
        pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            reaped = true;
            break;
        }
        if (w < 0 && errno != EINTR) break;
        if (Clock::now() >= deadline)
            timedOut = true;
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(5));  // output closed, not exited yet
    }
    if (!reaped) {
        // The whole group: a grandchild holding the pipe dies with it. Always reaped.
        ::kill(-pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        result.end = ChildResult::End::TimedOut;
        return result;
    }
    ::kill(-pid, SIGKILL);  // leftovers of the group (a helper's own children) never outlive it
    if (WIFEXITED(status)) {
        result.end = ChildResult::End::Exited;
        result.code = WEXITSTATUS(status);
    } else {
        result.end = ChildResult::End::Signaled;
        result.code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    return result;
}

}  // namespace hipaa::recorder
