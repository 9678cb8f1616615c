// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What an admitted actor (ActorGate) may see of one recording, by the access the role table gives:
//   Any        every recording, every field
//   Metadata   every recording, but only counts, sizes, states and times (no visit, room, participants)
//   Own        recordings of visits the actor took part in with that role (provider, patient)
//   OwnSealed  Own, and only once the recording is sealed
// Recordings made without a context (before contexts were kept) are nobody's own: Any only.
#include "hipaa/ActorGate.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/RecordingSink.hpp"

#include <optional>
#include <string>

namespace hipaa::recorder {

class RecordingAccess {
public:
    // "" when `decision` may see the recording, else the refusal's reason: `not_a_participant`,
    // `not_sealed` (OwnSealed and not sealed), `metadata_only` (Metadata for anything but list/status).
    static std::string refusal(const ActorDecision& decision, const std::optional<RecordingContext>& context,
                               const std::string& status);
    // The same for a status or list entry (RecordingStore::describe); null: no such recording, which
    // only Any and Metadata get to learn (the request then fails as it would have).
    static std::string refusal(const ActorDecision& decision, const json_t* entry);
    // A status or list entry (RecordingStore::describe) as `decision` may see it: Metadata loses
    // visit, room and participants; the others get it whole. Changes `entry` in place.
    static void narrow(const ActorDecision& decision, json_t* entry);
    // list: whether the entry is shown to `decision` at all (then narrow() it).
    static bool listed(const ActorDecision& decision, const json_t* entry) { return refusal(decision, entry).empty(); }
};

}  // namespace hipaa::recorder
