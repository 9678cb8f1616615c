// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Who may do what: one row per gated Admin API action, one column per actor role. docs/access.md
// prints the same table and a test checks they agree, and the gateway tests are generated from it.
//   Any       every object
//   Own       objects of visits the actor took part in with that role (provider, patient)
//   OwnSealed Own, and only once the recording is sealed
//   Metadata  counts, sizes, states and times only: no participant, visit, room or reason text
//   None      refused (367 actor_forbidden), and recorded as a refusal
#include "hipaa/ActorRole.hpp"

#include <string_view>
#include <vector>

namespace hipaa {

enum class Access { None, Metadata, Own, OwnSealed, Any };

struct AccessRule {
    std::string_view action;                        // "recording.export"
    std::string_view plugin;                        // the package that enforces it
    std::string_view request;                       // the Admin API request
    std::array<Access, kActorRoles.size()> byRole;  // in kActorRoles order
};

const std::vector<AccessRule>& accessRules();
// None for an action that is not in the table (fail closed).
Access accessFor(ActorRole role, std::string_view action);
const char* accessName(Access access);

}  // namespace hipaa
