// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The five roles of a consult and what each may do by default (design table). A room class can
// narrow these, and widen them only through keys that say so (RoomClass).
#include <optional>
#include <string>
#include <string_view>

namespace hipaa::room {

enum class Role { Provider, Patient, Interpreter, Observer, Support };
inline constexpr Role kAllRoles[] = {Role::Provider, Role::Patient, Role::Interpreter, Role::Observer, Role::Support};

std::optional<Role> parseRole(std::string_view name);
const char* roleName(Role r);

// Which names a participant may see.
enum class NameVisibility { None, OwnAndProviders, All };

struct Permissions {
    bool skipWaiting = false;  // joins admitted at once (providers; auto-admit per class)
    bool publish = false;
    bool subscribe = false;
    NameVisibility names = NameVisibility::None;
    bool moderate = false;  // admit, deny, back to waiting, kick, end
    bool recordControl = false;
    bool recordConsent = false;
    bool notes = false;
    bool screen = false;  // publish a screen share (a stream flagged `screen`)

    static Permissions defaults(Role r);
    bool operator==(const Permissions&) const = default;
};

// Capability names used in .jcfg narrow_/widen_ lists.
inline constexpr const char* kCapabilities[] = {"skip_waiting", "publish", "subscribe", "names", "moderate",
                                                "record",       "consent", "notes",     "screen"};
// Clears (narrow) or sets (widen) one capability; false for an unknown name. Widening `names` gives All.
bool applyCapability(Permissions& p, std::string_view capability, bool grant);

}  // namespace hipaa::room
