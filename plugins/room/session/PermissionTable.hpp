// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Who may send which request: one row per request saying on which handle it is a request at all,
// whether a waiting participant may send it, and which capability of the sender's role it needs
// (Role.hpp; the room class may narrow or widen them). RoomService checks every request here once,
// before any handler runs; docs/room.md's table is printed from these rows (markdown()).
#include "Role.hpp"
#include "RoomRequest.hpp"

#include <cstddef>
#include <string>
#include <type_traits>

namespace hipaa::room {

class PermissionTable {
public:
    // The handle a request comes on: not joined yet, joined with a token, or a subscriber handle
    // opened with a participant's private_id.
    enum class Handle { New, Participant, Subscriber };
    enum class Capability { None, Publish, Subscribe, Moderate, Notes, Record, Consent, Screen };
    // Allowed, or why not: 432 not in a room, 433 already in a room (a refused `join`), 466 a
    // subscriber request on a participant handle (SubscriberOnly) or the reverse, 434 role_denied.
    enum class Access { Allowed, NotJoined, AlreadyJoined, SubscriberOnly, ParticipantOnly, RoleDenied };

    struct Rule {
        const char* request;  // as sent
        const char* form;     // "" or what tells two requests of one name apart
        bool onNew, onParticipant, onSubscriber;
        bool whileWaiting;         // participant handle: also while waiting
        Capability capability;     // participant handle; a subscriber join: its private_id's owner's
        Capability toShareScreen;  // also needed by an offer that adds a screen share
    };

    static const Rule& of(const RoomRequest& request);
    template <class R>
    static const Rule& of() {
        return at(indexOf<R>());
    }
    // `waiting` and `perms`: the sender's, on a participant handle (ignored on the others).
    static Access check(const RoomRequest& request, Handle handle, bool waiting, const Permissions& perms);
    static bool grants(const Permissions& perms, Capability capability);
    static const char* name(Capability capability);
    // The table of docs/room.md ("Who may send what"), one row per request.
    static std::string markdown();

private:
    static const Rule& at(size_t index);
    template <class R, size_t I = 0>
    static constexpr size_t indexOf() {
        if constexpr (std::is_same_v<std::variant_alternative_t<I, RoomRequest>, R>)
            return I;
        else
            return indexOf<R, I + 1>();
    }
};

}  // namespace hipaa::room
