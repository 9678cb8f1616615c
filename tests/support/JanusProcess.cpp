// SPDX-License-Identifier: GPL-3.0-or-later
#include "JanusProcess.hpp"

#include "FreePort.hpp"
#include "JanusClient.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace hipaa::test {
namespace {

std::string buildDir() {
    const char* env = std::getenv("HIPAA_BUILD_DIR");
    return env && *env ? env : HIPAA_BUILD_DIR;
}

std::string tail(const std::string& s, size_t n) { return s.size() > n ? s.substr(s.size() - n) : s; }

}  // namespace

JanusProcess::JanusProcess() : httpPort_(freeLoopbackPort()), adminPort_(freeLoopbackPort()) {
    std::string cmd = std::string("bash ") + HIPAA_SOURCE_DIR + "/scripts/janus-conf.sh '" + dir_.path() + "' '" +
                      buildDir() + "' " + std::to_string(httpPort_) + " " + std::to_string(adminPort_) + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("scripts/janus-conf.sh failed");
    adminSecret_ = readFile(dir_.file("admin_secret"));
    while (!adminSecret_.empty() && (adminSecret_.back() == '\n' || adminSecret_.back() == ' '))
        adminSecret_.pop_back();
}

JanusProcess::~JanusProcess() {
    if (running()) kill();
}

void JanusProcess::writeConfig(const std::string& name, const std::string& content, unsigned mode) const {
    dir_.write(name, content, mode);
}

void JanusProcess::start(std::chrono::seconds timeout) {
    if (running()) throw std::runtime_error("janus already running");
    std::string logPath = dir_.file("janus.log");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        ::setpgid(0, 0);
        // ASan-built plugins in Debian's (uninstrumented) janus: preload the runtime. Janus itself
        // leaks a few glib blocks at exit, so leaks do not change the exit code; full stacks let
        // sanitizerFindings() attribute each leak.
        if (const char* asan = std::getenv("HIPAA_JANUS_PRELOAD"); asan && *asan) {
            ::setenv("LD_PRELOAD", asan, 1);
            ::setenv("ASAN_OPTIONS", "detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=40", 1);
            ::setenv("LSAN_OPTIONS", "exitcode=0", 1);
        }
        ::execl("/usr/bin/janus", "janus", "-F", dir_.path().c_str(), "-o", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    JanusClient client(*this);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running()) throw std::runtime_error("janus exited during start:\n" + tail(log(), 4000));
        try {
            client.adminInfo();
            return;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    kill();
    throw std::runtime_error("janus did not answer in time:\n" + tail(log(), 4000));
}

bool JanusProcess::running() const {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    const_cast<JanusProcess*>(this)->pid_ = -1;
    return false;
}

int JanusProcess::stop(std::chrono::seconds timeout, int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill();
    return -1;
}

void JanusProcess::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::string JanusProcess::log() const { return readFile(dir_.file("janus.log")); }

std::vector<std::string> JanusProcess::sanitizerFindings() const {
    std::vector<std::string> out;
    std::string text = log();
    // Memory errors anywhere are ours to care about.
    if (text.find("ERROR: AddressSanitizer") != std::string::npos) out.push_back("AddressSanitizer error");
    if (text.find("runtime error:") != std::string::npos) out.push_back("UndefinedBehaviorSanitizer error");
    // Leak blocks start with "Direct leak" / "Indirect leak" and end at a blank line.
    size_t pos = 0;
    while ((pos = text.find(" leak of ", pos)) != std::string::npos) {
        size_t start = text.rfind('\n', pos);
        size_t end = text.find("\n\n", pos);
        std::string block =
            text.substr(start == std::string::npos ? 0 : start + 1,
                        (end == std::string::npos ? text.size() : end) - (start == std::string::npos ? 0 : start + 1));
        if (block.find("hipaa") != std::string::npos) out.push_back("leak in janus-hipaa code:\n" + block);
        pos = end == std::string::npos ? text.size() : end;
    }
    return out;
}

}  // namespace hipaa::test
