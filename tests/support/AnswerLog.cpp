// SPDX-License-Identifier: GPL-3.0-or-later
#include "AnswerLog.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace hipaa::test {
namespace {

const char* path() {
    const char* p = std::getenv("HIPAA_ANSWER_LOG");
    return p && *p ? p : nullptr;
}

void append(const char* file, const std::string& text, int extraFlags) {
    int fd = ::open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | extraFlags, 0600);
    if (fd < 0) throw std::runtime_error(std::string("HIPAA_ANSWER_LOG: cannot open ") + file);
    ssize_t n = text.empty() ? 0 : ::write(fd, text.data(), text.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(text.size()))
        throw std::runtime_error(std::string("HIPAA_ANSWER_LOG: short write to ") + file);
}

}  // namespace

bool AnswerLog::enabled() { return path() != nullptr; }

void AnswerLog::write(const json_t* record) {
    if (const char* file = path()) append(file, jsonDump(record) + "\n", 0);
}

void AnswerLog::restart() {
    if (const char* file = path()) append(file, "", O_TRUNC);
}

}  // namespace hipaa::test
