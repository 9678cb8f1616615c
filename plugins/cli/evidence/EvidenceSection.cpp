// SPDX-License-Identifier: GPL-3.0-or-later
#include "EvidenceSection.hpp"

#include "hipaa/JsonBuilder.hpp"

namespace hipaa::cli {
namespace {

JsonPtr strings(const std::vector<std::string>& list) {
    JsonPtr a = jsonArray();
    for (const auto& s : list) json_array_append_new(a.get(), json_string(s.c_str()));
    return a;
}

}  // namespace

EvidenceSection::EvidenceSection(std::string id, std::string title, std::string how)
    : id_(std::move(id)), title_(std::move(title)), how_(std::move(how)) {}

EvidenceSection& EvidenceSection::figure(const std::string& label, const std::string& value) {
    figures_.emplace_back(label, value);
    return *this;
}

EvidenceSection& EvidenceSection::fail(const std::string& what) {
    state_ = State::Fail;
    problems_.push_back(what);
    return *this;
}

EvidenceSection& EvidenceSection::unchecked(const std::string& why) {
    if (state_ != State::Fail) state_ = State::Unchecked;
    problems_.push_back("could not check: " + why);
    return *this;
}

EvidenceSection& EvidenceSection::columns(std::vector<std::string> names) {
    columns_ = std::move(names);
    return *this;
}

EvidenceSection& EvidenceSection::row(std::vector<std::string> cells) {
    rows_.push_back(std::move(cells));
    return *this;
}

EvidenceSection& EvidenceSection::chart(const std::string& title,
                                        const std::vector<std::pair<std::string, double>>& bars) {
    charts_.emplace_back(title, bars);
    return *this;
}

const char* EvidenceSection::stateName(State s) {
    switch (s) {
        case State::Pass:
            return "pass";
        case State::Fail:
            return "fail";
        case State::Unchecked:
            return "unchecked";
    }
    return "unchecked";
}

JsonPtr EvidenceSection::toJson() const {
    JsonPtr figures = jsonArray();
    for (const auto& [label, value] : figures_)
        json_array_append_new(
            figures.get(),
            jsonRelease(
                JsonBuilder().set("label", std::string_view(label)).set("value", std::string_view(value)).build()));
    JsonPtr charts = jsonArray();
    for (const auto& [title, bars] : charts_) {
        JsonPtr list = jsonArray();
        for (const auto& [label, value] : bars)
            json_array_append_new(
                list.get(),
                jsonRelease(JsonBuilder().set("label", std::string_view(label)).set("value", value).build()));
        json_array_append_new(
            charts.get(),
            jsonRelease(JsonBuilder().set("title", std::string_view(title)).set("bars", std::move(list)).build()));
    }
    JsonPtr rows = jsonArray();
    for (const auto& r : rows_) json_array_append_new(rows.get(), jsonRelease(strings(r)));
    return JsonBuilder()
        .set("id", std::string_view(id_))
        .set("title", std::string_view(title_))
        .set("how", std::string_view(how_))
        .set("state", stateName(state_))
        .set("problems", strings(problems_))
        .set("figures", std::move(figures))
        .set("columns", strings(columns_))
        .set("rows", std::move(rows))
        .set("charts", std::move(charts))
        .build();
}

}  // namespace hipaa::cli
