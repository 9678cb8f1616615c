// SPDX-License-Identifier: GPL-3.0-or-later
#include "Notes.hpp"

#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"

namespace hipaa::room {

void Notes::note(const Reply& reply, const NoteRequest& request, const Room& room, const Participant& me) {
    NoteSubmitted n;
    n.visitId = room.visitId;
    n.roomId = room.id;
    n.noteId = RoomState::newId("n_");
    n.text = request.text;
    n.loincCode = request.type;
    n.authorPseudonym = me.pseudonym;
    n.submittedUs = reply.nowUs;
    n.fhir = me.fhir;  // the author's token, completed by the other tokens of the visit
    mergeFhir(n.fhir, room.fhir);
    std::string noteId = n.noteId;
    VisitBus::PublishResult res = publish_ ? publish_(std::move(n)) : VisitBus::PublishResult{};
    auto bytes = static_cast<uint64_t>(request.text.size());
    if (!res.ok() || res.delivered == 0) {
        // Never pretend: the client keeps its note and can retry.
        reply.notify(
            event::noteRefused(room.id, me.pseudonym, bytes, request.type, static_cast<uint64_t>(res.delivered)));
        ++state_.counters["notes_refused"];
        return reply.error(errc::kNoteNotAccepted, res.delivered == 0 && res.ok()
                                                       ? "no note recipient is running; note not stored"
                                                       : "note queue full; note not stored, retry");
    }
    reply.notify(event::noteSubmitted(room.id, me.pseudonym, bytes, request.type, noteId));
    ++state_.counters["notes"];
    reply.answer(push::noteSubmitted(room.id, noteId, bytes));
}

}  // namespace hipaa::room
