// SPDX-License-Identifier: GPL-3.0-or-later
#include "Role.hpp"

namespace hipaa::room {

std::optional<Role> parseRole(std::string_view name) {
    for (Role r : kAllRoles)
        if (name == roleName(r)) return r;
    return std::nullopt;
}

const char* roleName(Role r) {
    switch (r) {
        case Role::Provider:
            return "provider";
        case Role::Patient:
            return "patient";
        case Role::Interpreter:
            return "interpreter";
        case Role::Observer:
            return "observer";
        case Role::Support:
            return "support";
    }
    return "unknown";
}

Permissions Permissions::defaults(Role r) {
    Permissions p;
    switch (r) {
        case Role::Provider:
            p = {.skipWaiting = true,
                 .publish = true,
                 .subscribe = true,
                 .names = NameVisibility::All,
                 .moderate = true,
                 .recordControl = true,
                 .recordConsent = true,
                 .notes = true,
                 .screen = true};
            break;
        case Role::Patient:
            p = {.skipWaiting = false,
                 .publish = true,
                 .subscribe = true,
                 .names = NameVisibility::OwnAndProviders,
                 .moderate = false,
                 .recordControl = false,
                 .recordConsent = true,
                 .notes = false};
            break;
        case Role::Interpreter:
            p = {.skipWaiting = false, .publish = true, .subscribe = true, .names = NameVisibility::All};
            break;
        case Role::Observer:
            p = {.skipWaiting = false, .publish = false, .subscribe = true, .names = NameVisibility::All};
            break;
        case Role::Support:
            // Technical support: no media, no names, no moderation. The design table leaves waiting open
            // ("no media"); we fail closed: support waits like everyone but providers.
            p = {};
            break;
    }
    return p;
}

bool applyCapability(Permissions& p, std::string_view c, bool grant) {
    if (c == "skip_waiting")
        p.skipWaiting = grant;
    else if (c == "publish")
        p.publish = grant;
    else if (c == "subscribe")
        p.subscribe = grant;
    else if (c == "names")
        p.names = grant ? NameVisibility::All : NameVisibility::None;
    else if (c == "moderate")
        p.moderate = grant;
    else if (c == "record")
        p.recordControl = grant;
    else if (c == "consent")
        p.recordConsent = grant;
    else if (c == "notes")
        p.notes = grant;
    else if (c == "screen")
        p.screen = grant;
    else
        return false;
    return true;
}

}  // namespace hipaa::room
