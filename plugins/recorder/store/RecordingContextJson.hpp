// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A recording's context (who took part: RecordingSink.hpp) as the recorder keeps it: checked once when
// a recording starts, then written into the state file and the signed manifest as
// {"visit", "room", "providers": [...], "patients": [...]}, pseudonyms only.
#include "hipaa/Json.hpp"
#include "hipaa/RecordingSink.hpp"

#include <optional>
#include <string_view>

namespace hipaa::recorder {

class RecordingContextJson {
public:
    static constexpr size_t kMaxEach = 16;  // providers, patients

    // "ps1_" + 32 lowercase hex: the room's participant pseudonym.
    static bool isPseudonym(std::string_view s);
    // Throws RequestError 303 naming the field: visit and room 0-64 of [A-Za-z0-9_-], pseudonyms as
    // above, at most kMaxEach each, none twice.
    static void check(const RecordingContext& context);
    // The Admin API start's optional `visit`, `room`, `providers`, `patients` (checked); nullopt when
    // none is given.
    static std::optional<RecordingContext> fromRequest(const json_t* request);
    static JsonPtr toJson(const RecordingContext& context);
    // From a state file: nullopt when absent or not what toJson writes (then only `Any` access sees it).
    static std::optional<RecordingContext> fromJson(const json_t* json);
};

}  // namespace hipaa::recorder
