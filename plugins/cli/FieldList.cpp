// SPDX-License-Identifier: GPL-3.0-or-later
#include "FieldList.hpp"

#include "Table.hpp"

#include "hipaa/Json.hpp"

#include <ctime>

namespace hipaa::cli {
namespace {

bool endsWith(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool scalar(const json_t* v) { return !json_is_object(v) && !json_is_array(v); }

}  // namespace

std::string FieldList::utc(int64_t seconds) {
    auto t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    char buf[32];
    if (!gmtime_r(&t, &tm) || std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return std::to_string(seconds);
    return buf;
}

std::string FieldList::text(const json_t* value) {
    if (!value || json_is_null(value)) return "";
    if (json_is_string(value)) return Table::printable(json_string_value(value));
    if (json_is_true(value)) return "yes";
    if (json_is_false(value)) return "no";
    if (json_is_integer(value)) return std::to_string(json_integer_value(value));
    if (json_is_real(value)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3g", json_real_value(value));
        return buf;
    }
    return Table::printable(jsonDump(value, JSON_COMPACT));
}

std::string FieldList::text(const json_t* object, const char* key) { return text(json_object_get(object, key)); }

void FieldList::print(std::ostream& out, const json_t* object, const std::string& prefix) {
    const char* key;
    json_t* value;
    json_object_foreach(const_cast<json_t*>(object), key, value) {
        std::string name = prefix + Table::printable(key);
        if (json_is_object(value)) {
            if (json_object_size(value) == 0) out << name << ": {}\n";
            print(out, value, name + ".");
            continue;
        }
        if (json_is_array(value)) {
            bool plain = true;
            size_t i;
            json_t* item;
            json_array_foreach(value, i, item) plain = plain && scalar(item);
            if (plain) {
                std::string joined;
                json_array_foreach(value, i, item) joined += (i ? ", " : "") + text(item);
                out << name << ": " << joined << '\n';
            } else {
                json_array_foreach(value, i, item) {
                    std::string at = name + "[" + std::to_string(i) + "]";
                    if (json_is_object(item))
                        print(out, item, at + ".");
                    else
                        out << at << ": " << text(item) << '\n';
                }
            }
            continue;
        }
        out << name << ": " << text(value);
        if (json_is_integer(value) && json_integer_value(value) > 0) {
            if (endsWith(name, "_ms")) out << " (" << utc(json_integer_value(value) / 1000) << ")";
            if (endsWith(name, "_us")) out << " (" << utc(json_integer_value(value) / 1000000) << ")";
        }
        out << '\n';
    }
}

}  // namespace hipaa::cli
