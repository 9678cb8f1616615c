// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Text from an answer or the database made safe inside HTML (element content and quoted attributes):
// & < > " ' escaped, control characters shown as \xNN, invalid UTF-8 bytes as U+FFFD.
#include <string>
#include <string_view>

namespace hipaa::cli {

class HtmlText {
public:
    static std::string escape(std::string_view text);
};

}  // namespace hipaa::cli
