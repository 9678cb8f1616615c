// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChildRunner.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace hipaa::recorder;

namespace {

ChildResult sh(const std::string& script, ChildLimits limits = {}) {
    return ChildRunner::run({"/bin/sh", "-c", script}, limits);
}

}  // namespace

TEST(ChildRunner, ExitStatusAndOutputAreReported) {
    ChildResult r = sh("echo out; echo err >&2; exit 0");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.output, "out\nerr\n");
    r = sh("exit 3");
    EXPECT_EQ(r.end, ChildResult::End::Exited);
    EXPECT_EQ(r.code, 3);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.describe(), "exit 3");
}

TEST(ChildRunner, AProgramThatDoesNotExistIsNotStarted) {
    ChildResult r = ChildRunner::run({"/nonexistent/janus-pp-rec", "a"}, {});
    EXPECT_EQ(r.end, ChildResult::End::NotStarted);
    EXPECT_EQ(r.code, ENOENT);
    // No shell, no PATH search: a relative name is never run.
    r = ChildRunner::run({"sh", "-c", "exit 0"}, {});
    EXPECT_EQ(r.end, ChildResult::End::NotStarted);
}

TEST(ChildRunner, TheDeadlineKillsTheWholeGroupAndReapsIt) {
    ChildLimits limits;
    limits.wallClock = std::chrono::milliseconds(200);
    // The grandchild holds the output pipe open: it must die with the group, or run() would wait.
    ChildResult r = sh("sleep 60 & sleep 60", limits);
    EXPECT_EQ(r.end, ChildResult::End::TimedOut);
    EXPECT_EQ(r.describe(), "timed out");
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);  // nothing left to reap: no zombie
}

TEST(ChildRunner, TheCpuLimitStopsABusyChild) {
    ChildLimits limits;
    limits.cpuSeconds = 1;
    ChildResult r = sh("while :; do :; done", limits);
    EXPECT_EQ(r.end, ChildResult::End::Signaled);
    EXPECT_TRUE(r.code == SIGXCPU || r.code == SIGKILL) << r.code;
}

TEST(ChildRunner, TheFileSizeLimitStopsALargeOutputFile) {
    auto dir = std::filesystem::temp_directory_path() / ("child-runner-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    ChildLimits limits;
    limits.fileBytes = 4096;
    ChildResult r = sh("head -c 100000 /dev/zero > " + (dir / "big").string(), limits);
    EXPECT_FALSE(r.ok());
    EXPECT_LE(std::filesystem::file_size(dir / "big"), 4096u);
    std::filesystem::remove_all(dir);
}

TEST(ChildRunner, OutputIsCapturedUpToTheBoundAndTheRestDrained) {
    ChildLimits limits;
    limits.outputBytes = 100;
    // 1 MB through the pipe: a child that blocked on a full pipe would time out instead.
    ChildResult r = sh("head -c 1000000 /dev/zero | tr '\\0' x", limits);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.output.size(), 100u);
    EXPECT_TRUE(r.outputTruncated);
}

TEST(ChildRunner, TheChildGetsNoEnvironmentAndNoInheritedDescriptors) {
    ::setenv("HIPAA_CHILD_SECRET", "x", 1);
    int fd = ::dup(1);  // not close-on-exec here
    ChildResult r = sh("echo \"[$HIPAA_CHILD_SECRET]\"; ls /proc/self/fd | wc -l");
    ::close(fd);
    ::unsetenv("HIPAA_CHILD_SECRET");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.output.substr(0, 3), "[]\n");
    // 0, 1, 2 and the descriptor ls itself opens: nothing else.
    EXPECT_EQ(std::stoi(r.output.substr(3)), 4);
}
