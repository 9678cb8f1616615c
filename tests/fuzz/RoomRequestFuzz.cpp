// SPDX-License-Identifier: GPL-3.0-or-later
// The room's client request parser (parseRoomRequest) on arbitrary JSON text: only typed errors, no crash.
#include "RoomRequest.hpp"

#include "hipaa/Errors.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    json_error_t err;
    hipaa::JsonPtr j = hipaa::jsonAdopt(json_loadb(reinterpret_cast<const char*>(data), size, 0, &err));
    try {
        hipaa::room::RoomRequest r = hipaa::room::parseRoomRequest(j.get());
        if (const auto* n = std::get_if<hipaa::room::NoteRequest>(&r); n && n->text.size() > n->kMaxTextBytes)
            __builtin_trap();
    } catch (const hipaa::Error&) {
    }
    return 0;
}
