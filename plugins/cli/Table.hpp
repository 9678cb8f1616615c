// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A plain-text table for people: a header row, columns padded to their widest cell, two spaces apart.
// Every cell is made printable first (control characters from an answer never reach the terminal).
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace hipaa::cli {

class Table {
public:
    explicit Table(std::vector<std::string> header);
    // A row with fewer cells than the header is padded with empty ones; more cells are an error.
    void add(std::vector<std::string> row);
    size_t rows() const { return rows_.size(); }
    void print(std::ostream& out) const;

    // `text` with control characters and invalid UTF-8 bytes as \xNN (UTF-8 letters stay).
    static std::string printable(std::string_view text);

private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace hipaa::cli
