// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading what a browser script reported: its result JSON and the screenshots it saved.
#include <jansson.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

namespace hipaa::test {

// The value at `path` (object keys) under `j`, or nullptr.
inline const json_t* jsonAt(const json_t* j, std::initializer_list<const char*> path) {
    for (const char* k : path) j = json_object_get(j, k);
    return j;
}

// A number, or -1 when the value is missing or not a number.
inline double jsonNumber(const json_t* j) { return json_is_number(j) ? json_number_value(j) : -1; }

// A PNG file of more than 1000 bytes (a screenshot with something on it).
inline bool isScreenshotPng(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    char magic[8] = {};
    f.read(magic, 8);
    return f.gcount() == 8 && std::string(magic + 1, 3) == "PNG" && std::filesystem::file_size(path) > 1000;
}

}  // namespace hipaa::test
