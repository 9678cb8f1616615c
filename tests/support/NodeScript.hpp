// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A node script from tests/e2e/ (headless Chromium via playwright-core) as a child process, read line
// by line from its stdout while it runs. Its stderr goes to the test's output. Media scripts need the
// test binary inside scripts/netns-run.sh (the e2e CMake sets it as the test's CROSSCOMPILING_EMULATOR).
//   NodeScript pub("publish-videoroom.js", {"--janus", janus.httpUrl(), "--room", "1234", "--seconds", "8"});
//   std::string line = pub.waitLine("PUBLISHER ", 30s);   // then send rtp_forward, ...
//   EXPECT_EQ(pub.wait(30s), 0);
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hipaa::test {

class NodeScript {
public:
    // `script` is relative to tests/e2e/ in the source tree.
    NodeScript(const std::string& script, const std::vector<std::string>& args);
    ~NodeScript();  // SIGKILLs a script still running
    NodeScript(const NodeScript&) = delete;
    NodeScript& operator=(const NodeScript&) = delete;

    // The next stdout line starting with `prefix`, without the prefix; nullopt on timeout or exit.
    std::optional<std::string> waitLine(const std::string& prefix, std::chrono::milliseconds timeout);
    // Waits for exit; the exit status, or -1 if killed by a signal or still running at the timeout
    // (then it is killed).
    int wait(std::chrono::milliseconds timeout);
    void terminate();  // SIGTERM: the scripts stop early and leave cleanly
    // Every stdout line read so far.
    const std::vector<std::string>& lines() const { return lines_; }

    static std::string e2eDir();

private:
    // Reads what arrives within `timeout` into lines_; false when nothing came (timeout or EOF).
    bool readSome(std::chrono::milliseconds timeout);
    pid_t pid_ = -1;
    int out_ = -1;
    std::string buffer_;
    std::vector<std::string> lines_;
    size_t consumed_ = 0;
};

}  // namespace hipaa::test
