// SPDX-License-Identifier: GPL-3.0-or-later
#include "CopySelection.hpp"

#include "RecorderErrors.hpp"

#include <algorithm>

namespace hipaa::recorder {

std::vector<CopyRecording> CopySelection::select(const json_t* list, const std::string& patient, int64_t fromMs,
                                                 int64_t toMs) {
    std::vector<std::pair<int64_t, CopyRecording>> found;
    size_t i, j;
    json_t *r, *p;
    json_array_foreach(list, i, r) {
        if (jsonString(r, "status").value_or("") != "sealed") continue;
        int64_t created = jsonInt(r, "created_ms").value_or(-1);
        if (created < fromMs || created >= toMs) continue;
        bool named = false;
        json_array_foreach(json_object_get(json_object_get(r, "participants"), "patients"), j, p) {
            if (json_is_string(p) && patient == json_string_value(p)) named = true;
        }
        if (!named) continue;
        found.push_back({created, CopyRecording{std::string(jsonString(r, "recording").value_or("")),
                                                std::string(jsonString(r, "visit").value_or(""))}});
    }
    if (found.size() > kMaxRecordings)
        throw RequestError(errc::kNothingToCopy,
                           "more than " + std::to_string(kMaxRecordings) + " recordings in the range: narrow from/to");
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<CopyRecording> out;
    out.reserve(found.size());
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
}

}  // namespace hipaa::recorder
