// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A bar chart as inline SVG (the report must open offline: no script, no external resource). Labels
// and values are escaped; negative or non-finite values are drawn as 0 and printed as they are.
#include <jansson.h>

#include <string>

namespace hipaa::cli {

class SvgBarChart {
public:
    // `chart`: {"title", "bars": [{"label", "value"}]} (EvidenceSection::chart).
    static std::string render(const json_t* chart);
};

}  // namespace hipaa::cli
