// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which recordings a patient's copy holds: the store's `list` entries that are sealed, started within
// [fromMs, toMs) and name the patient among their participants (the context the room recorded).
// A recording without a context names nobody and is never selected.
#include "PatientCopyBuilder.hpp"
#include "hipaa/Json.hpp"

#include <string>
#include <vector>

namespace hipaa::recorder {

class CopySelection {
public:
    static constexpr size_t kMaxRecordings = 50;

    // Oldest first. RequestError 441 when more than kMaxRecordings match (narrow the range).
    static std::vector<CopyRecording> select(const json_t* list, const std::string& patient, int64_t fromMs,
                                             int64_t toMs);
};

}  // namespace hipaa::recorder
