// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An answer object for people, one "name: value" line per field: nested objects as "parent.child",
// arrays of plain values joined by ", ", arrays of objects as "name[i].child". Times the plugins give
// in milliseconds or microseconds since the epoch (`*_ms`, `*_us`) are shown in UTC too. Every value
// is made printable (Table::printable).
#include <jansson.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace hipaa::cli {

class FieldList {
public:
    static void print(std::ostream& out, const json_t* object, const std::string& prefix = "");
    // A plain value as text ("" when absent or null; objects and arrays as compact JSON).
    static std::string text(const json_t* value);
    // The value of `key` in `object` as text.
    static std::string text(const json_t* object, const char* key);
    // "2026-12-03T10:15:00Z" for seconds since the epoch.
    static std::string utc(int64_t seconds);
};

}  // namespace hipaa::cli
