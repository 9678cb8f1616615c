// SPDX-License-Identifier: GPL-3.0-or-later
#include "ErrorCodeTable.hpp"

#include <sstream>
#include <stdexcept>

#include "TempDir.hpp"

namespace hipaa::test {
namespace {

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t`"), b = s.find_last_not_of(" \t`");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

std::vector<DocumentedCode> ErrorCodeTable::load(const std::string& markdownPath, const std::string& sharedPackage) {
    std::istringstream in(readFile(markdownPath));
    std::vector<DocumentedCode> out;
    std::string line, package;
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0) {
            std::string heading = line.substr(3);
            package = heading.rfind("janus.", 0) == 0         ? heading.substr(0, heading.find(' '))
                      : heading.rfind("Shared codes", 0) == 0 ? sharedPackage
                                                              : std::string();
            continue;
        }
        if (package.empty() || line.rfind("| ", 0) != 0) continue;
        std::vector<std::string> cells;
        std::string cell;
        std::istringstream row(line.substr(1));
        while (std::getline(row, cell, '|')) cells.push_back(trim(cell));
        if (cells.size() < 3 || cells[0].empty() || cells[0].find_first_not_of("0123456789") != std::string::npos)
            continue;
        out.push_back({package, std::stoi(cells[0]), cells[1], cells[2].rfind("(reserved", 0) == 0});
    }
    if (out.empty()) throw std::runtime_error(markdownPath + ": no plugin error-code rows found");
    return out;
}

}  // namespace hipaa::test
