// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The error codes of docs/error-codes.md: every row `| code | name | meaning |` under a
// `## janus.<package>` heading (plugin-specific), and with `sharedPackage` also those under
// `## Shared codes`, as that package.
#include <ostream>
#include <string>
#include <vector>

namespace hipaa::test {

struct DocumentedCode {
    std::string package;  // janus.plugin.hipaa.room, ...
    int code = 0;
    std::string name;       // the table's second column (reason or name)
    bool reserved = false;  // the meaning says "(reserved)": nothing answers it yet
};

inline void PrintTo(const DocumentedCode& d, std::ostream* os) { *os << d.package << " " << d.code << " " << d.name; }

class ErrorCodeTable {
public:
    static std::vector<DocumentedCode> load(const std::string& markdownPath, const std::string& sharedPackage = "");
};

}  // namespace hipaa::test
