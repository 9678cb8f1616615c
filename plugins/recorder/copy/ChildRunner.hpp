// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs a helper program (janus-pp-rec) as a bounded child: no shell, an absolute program path, an
// empty environment, stdin from /dev/null, its own process group, RLIMIT_CPU and RLIMIT_FSIZE (the
// largest file it may write), a wall-clock deadline after which the whole group is SIGKILLed and
// reaped, and stdout+stderr captured up to a bound (the rest is read and dropped so it never blocks).
// Called from control threads of a multi-threaded process: between fork and exec only
// async-signal-safe calls.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hipaa::recorder {

struct ChildLimits {
    std::chrono::milliseconds wallClock{120000};
    int cpuSeconds = 120;
    uint64_t fileBytes = 4ull << 30;  // RLIMIT_FSIZE: a larger write fails (EFBIG / SIGXFSZ)
    size_t outputBytes = 4096;        // captured stdout+stderr
};

struct ChildResult {
    enum class End { Exited, Signaled, TimedOut, NotStarted };
    End end = End::NotStarted;
    int code = 0;        // exit status (Exited), signal (Signaled), errno of the exec (NotStarted)
    std::string output;  // the first outputBytes of stdout+stderr
    bool outputTruncated = false;

    bool ok() const { return end == End::Exited && code == 0; }
    // "exit 1", "signal 9", "timed out", "could not start (No such file or directory)": no output.
    std::string describe() const;
};

class ChildRunner {
public:
    // argv[0] is the absolute path of the program. Throws Error(kInternal) only when no child could
    // be created at all (pipe or fork failed); everything the child does is in the result.
    static ChildResult run(const std::vector<std::string>& argv, const ChildLimits& limits);
};

}  // namespace hipaa::recorder
