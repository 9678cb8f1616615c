// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>

namespace hipaa::test {

// A private (0700) temporary folder, removed with its contents on destruction unless
// HIPAA_KEEP_TEST_DIRS is set (to inspect a failed run).
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    // Writes `content` to path()/name with `mode`; returns the full path.
    std::string write(const std::string& name, const std::string& content, unsigned mode = 0600) const;

private:
    std::string path_;
};

std::string readFile(const std::string& path);

}  // namespace hipaa::test
