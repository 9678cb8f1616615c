// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One part of the evidence report (docs/cli.md, "evidence"): figures computed now, a table, charts,
// and its state. A section passes only when every check in it ran and found nothing wrong: a check
// that could not run makes it "unchecked" with the reason, never a pass.
#include "hipaa/Json.hpp"

#include <string>
#include <vector>

namespace hipaa::cli {

class EvidenceSection {
public:
    enum class State { Pass, Fail, Unchecked };

    EvidenceSection(std::string id, std::string title, std::string how);

    // A figure: a label and its value as computed now.
    EvidenceSection& figure(const std::string& label, const std::string& value);
    // Something found wrong (names what, never PHI): the section fails.
    EvidenceSection& fail(const std::string& what);
    // A check that could not run, and why: the section is unchecked unless it already failed.
    EvidenceSection& unchecked(const std::string& why);
    EvidenceSection& columns(std::vector<std::string> names);
    EvidenceSection& row(std::vector<std::string> cells);
    // A bar chart (inline SVG in the HTML): one bar per label.
    EvidenceSection& chart(const std::string& title, const std::vector<std::pair<std::string, double>>& bars);

    State state() const { return state_; }
    static const char* stateName(State s);
    // {"id", "title", "how", "state", "problems": [...], "figures": [{label, value}], "columns",
    //  "rows", "charts": [{title, bars: [{label, value}]}]}
    JsonPtr toJson() const;

private:
    std::string id_, title_, how_;
    State state_ = State::Pass;
    std::vector<std::string> problems_;
    std::vector<std::pair<std::string, std::string>> figures_;
    std::vector<std::string> columns_;
    std::vector<std::vector<std::string>> rows_;
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> charts_;
};

}  // namespace hipaa::cli
