// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The evidence report as one self-contained HTML page: inline CSS, inline SVG charts, no script and no
// external resource (a Content-Security-Policy forbids loading any), every dynamic string escaped.
// Anything but a pass is red and says why.
#include <jansson.h>

#include <string>

namespace hipaa::cli {

class EvidenceHtml {
public:
    // `report`: EvidenceReport's JSON ({"generated", "period_days", "tool_version", "state",
    // "sections": [EvidenceSection::toJson()...]}).
    static std::string render(const json_t* report);
};

}  // namespace hipaa::cli
