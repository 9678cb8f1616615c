// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A room's recording (docs/room.md, "Recording"): a provider's `record` asks every admitted patient,
// starts only with all their consents, and any patient's "no" stops it; `stop_record`; the
// StartRecording / StopRecording effects and the recorder's answers; parts that fail later; late
// joiners and leavers. Decides whom the relay's recording tap may see (a gate per publisher).
#include "Effect.hpp"
#include "MediaRelay.hpp"
#include "Reply.hpp"
#include "RoomRequest.hpp"
#include "RoomState.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hipaa::room {

class RecordingFlow {
public:
    // `relay` null: no tap gates to set.
    RecordingFlow(RoomState& state, MediaRelay* relay) : state_(state), relay_(relay) {}

    void record(const Reply& reply, Room& room, const Participant& me);
    void stop(const Reply& reply, Room& room);
    void consent(const Reply& reply, const ConsentRequest& request, Room& room, const Participant& me);

    // The recorder's answers to a StartRecording / StopRecording effect (`ids`: the recordings sealed).
    Effects started(uint64_t ticket, bool ok);
    Effects stopped(uint64_t ticket, const std::vector<std::string>& ids, bool ok);
    // A part of the running recording failed (RecordingTap's report).
    Effects failed(const std::string& room, const std::string& reason, const std::string& recording);
    // The room's kept chat cannot be kept (no keeper started, or it failed): a PHI-free event, and
    // every admitted participant is told (their kept messages and documents are not relayed).
    Effects chatUnkept(const std::string& room, const std::string& reason);

    // Whether the relay may give p's media to the room's tap: only while recording, and a participant
    // asked for consent only once she gave it.
    bool tapped(const Room& room, const Participant& p) const;
    // Someone admitted while recording (or while consent is pending) is told, and patients are asked.
    void admitted(Room& room, const Participant& p, Effects& out);
    // A participant left (or went back to waiting): a pending request may complete or be cancelled.
    void left(Room& room, const std::string& pid, Effects& out);
    void visitEnding(Room& room, Effects& out);
    // A class that keeps chat: the first publication asks for the room's ChatKeeper (KeepChat), with
    // the visit and who is admitted now; a provider or patient admitted later starts a new segment
    // (StopChat, KeepChat) naming them; the visit's end seals it (StopChat).
    void keepChat(Room& room, Effects& out) const;
    // The recorder's answer to a StopChat (`recording`: the sealed kept chat, "" when none was kept):
    // the room whose ended visit may now be published (no StopChat of it left), if any.
    std::optional<std::string> chatSealed(uint64_t ticket, const std::string& recording);

private:
    bool asksConsent(const Room& room, const Participant& p) const;
    void updateTapGates(Room& room);
    // Asks for the recording (StartRecording); started() tells the room, or `by` (the requesting
    // provider's participant id) gets 454. `tx`: the `record` request answered on success.
    void startRecording(Room& room, const std::string& by, const std::string& tx, Effects& out);
    // Closes the tap to everyone at once, then asks for the seal (StopRecording).
    void stopRecording(Room& room, const std::string& reason, Effects& out);
    void cancelConsent(Room& room, const std::string& reason, Effects& out);
    // The visit and the pseudonyms of the providers and patients admitted now (the recorder keeps them).
    RecordingContext context(const Room& room) const;
    static constexpr size_t kContextMax = 16;
    void pushState(const Room& room, const char* state, const std::string& reason, Effects& out) const;
    void stopChat(Room& room, Effects& out);

    RoomState& state_;
    MediaRelay* relay_;
    uint64_t nextTicket_ = 1;
    std::map<uint64_t, std::string> starting_;                          // ticket -> room
    std::map<uint64_t, std::pair<std::string, std::string>> stopping_;  // ticket -> room, reason
    std::map<uint64_t, std::string> chatStopping_;                      // StopChat ticket -> room
};

}  // namespace hipaa::room
