// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The roles an actor token may carry (`role` claim). Every role but `patient` is staff and needs
// multi-factor authentication (`amr`).
#include <array>
#include <optional>
#include <string_view>

namespace hipaa {

enum class ActorRole { Provider, Patient, AdminStaff, ComplianceOfficer, Support, RecordsOfficer };

inline constexpr std::array<ActorRole, 6> kActorRoles{ActorRole::Provider,   ActorRole::Patient,
                                                      ActorRole::AdminStaff, ActorRole::ComplianceOfficer,
                                                      ActorRole::Support,    ActorRole::RecordsOfficer};

const char* actorRoleName(ActorRole role);
std::optional<ActorRole> parseActorRole(std::string_view name);
inline bool actorRoleIsStaff(ActorRole role) { return role != ActorRole::Patient; }

}  // namespace hipaa
