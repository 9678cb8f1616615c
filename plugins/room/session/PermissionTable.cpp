// SPDX-License-Identifier: GPL-3.0-or-later
#include "PermissionTable.hpp"

#include <string_view>
#include <utility>

namespace hipaa::room {
namespace {

using C = PermissionTable::Capability;
using Rule = PermissionTable::Rule;

constexpr bool N = false, Y = true;

// One row per RoomRequest alternative, in the variant's order (checked below).
// clang-format off
//  request             form                 new  part. sub.  waiting capability      toShareScreen
constexpr Rule kRules[] = {
    {"join",            "",                  Y,   N,    N,    N,      C::None,        C::None},
    {"join",            "ptype: subscriber", Y,   N,    N,    N,      C::Subscribe,   C::None},
    {"leave",           "",                  N,   Y,    Y,    Y,      C::None,        C::None},
    {"participants",    "",                  N,   Y,    N,    Y,      C::None,        C::None},
    {"admit",           "",                  N,   Y,    N,    N,      C::Moderate,    C::None},
    {"deny",            "",                  N,   Y,    N,    N,      C::Moderate,    C::None},
    {"send_to_waiting", "",                  N,   Y,    N,    N,      C::Moderate,    C::None},
    {"kick",            "",                  N,   Y,    N,    N,      C::Moderate,    C::None},
    {"end",             "",                  N,   Y,    N,    N,      C::Moderate,    C::None},
    {"note",            "",                  N,   Y,    N,    N,      C::Notes,       C::None},
    {"record",          "",                  N,   Y,    N,    N,      C::Record,      C::None},
    {"stop_record",     "",                  N,   Y,    N,    N,      C::Record,      C::None},
    {"consent",         "",                  N,   Y,    N,    N,      C::Consent,     C::None},
    {"publish",         "",                  N,   Y,    N,    N,      C::Publish,     C::Screen},
    {"configure",       "",                  N,   Y,    Y,    N,      C::Publish,     C::Screen},
    {"unpublish",       "",                  N,   Y,    N,    N,      C::Publish,     C::None},
    {"moderate",        "",                  N,   Y,    N,    N,      C::Moderate,    C::None},
    {"start",           "",                  N,   N,    Y,    N,      C::None,        C::None},
    {"pause",           "",                  N,   N,    Y,    N,      C::None,        C::None},
    {"update",          "",                  N,   N,    Y,    N,      C::None,        C::None},
};
// clang-format on

template <size_t... I>
constexpr bool rowsFollowTheVariant(std::index_sequence<I...>) {
    return sizeof...(I) == std::size(kRules) &&
           ((std::string_view(kRules[I].request) == std::variant_alternative_t<I, RoomRequest>::kName) && ...);
}
static_assert(rowsFollowTheVariant(std::make_index_sequence<std::variant_size_v<RoomRequest>>()),
              "one PermissionTable row per RoomRequest alternative, in its order");

std::string participantCell(const Rule& r) {
    if (r.onNew) return "433";
    if (!r.onParticipant) return "466";
    std::string cell = r.whileWaiting ? "waiting or admitted" : "admitted";
    if (r.capability != C::None) cell += std::string(", `") + PermissionTable::name(r.capability) + "`";
    if (r.toShareScreen != C::None)
        cell += std::string(" (an offer adding a screen share: `") + PermissionTable::name(r.toShareScreen) + "`)";
    return cell;
}

std::string newCell(const Rule& r) {
    if (!r.onNew) return "432";
    if (r.capability == C::None) return "yes";
    return std::string("yes, for the `private_id` of an admitted participant whose role has `") +
           PermissionTable::name(r.capability) + "`";
}

}  // namespace

const PermissionTable::Rule& PermissionTable::of(const RoomRequest& request) { return kRules[request.index()]; }

const PermissionTable::Rule& PermissionTable::at(size_t index) { return kRules[index]; }

PermissionTable::Access PermissionTable::check(const RoomRequest& request, Handle handle, bool waiting,
                                               const Permissions& perms) {
    const Rule& r = of(request);
    switch (handle) {
        case Handle::New:
            return r.onNew ? Access::Allowed : Access::NotJoined;
        case Handle::Participant:
            if (r.onNew) return Access::AlreadyJoined;
            if (!r.onParticipant) return Access::SubscriberOnly;
            if ((waiting && !r.whileWaiting) || !grants(perms, r.capability)) return Access::RoleDenied;
            return Access::Allowed;
        case Handle::Subscriber:
            if (r.onNew) return Access::AlreadyJoined;
            return r.onSubscriber ? Access::Allowed : Access::ParticipantOnly;
    }
    return Access::NotJoined;
}

bool PermissionTable::grants(const Permissions& p, Capability c) {
    switch (c) {
        case Capability::None:
            return true;
        case Capability::Publish:
            return p.publish;
        case Capability::Subscribe:
            return p.subscribe;
        case Capability::Moderate:
            return p.moderate;
        case Capability::Notes:
            return p.notes;
        case Capability::Record:
            return p.recordControl;
        case Capability::Consent:
            return p.recordConsent;
        case Capability::Screen:
            return p.screen;
    }
    return false;
}

// The names of the .jcfg capability lists (narrow_<role>, widen_<role>).
const char* PermissionTable::name(Capability c) {
    switch (c) {
        case Capability::None:
            return "";
        case Capability::Publish:
            return "publish";
        case Capability::Subscribe:
            return "subscribe";
        case Capability::Moderate:
            return "moderate";
        case Capability::Notes:
            return "notes";
        case Capability::Record:
            return "record";
        case Capability::Consent:
            return "consent";
        case Capability::Screen:
            return "screen";
    }
    return "";
}

std::string PermissionTable::markdown() {
    std::string out = "| request | new handle | participant handle | subscriber handle |\n|---|---|---|---|\n";
    for (const Rule& r : kRules) {
        out += std::string("| `") + r.request + "`" + (*r.form ? std::string(" (`") + r.form + "`)" : "") + " | " +
               newCell(r) + " | " + participantCell(r) + " | " +
               (r.onNew          ? "433"
                : r.onSubscriber ? "yes"
                                 : "466") +
               " |\n";
    }
    return out;
}

}  // namespace hipaa::room
