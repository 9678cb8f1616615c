// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The recorder's typed in-process seam (janus.plugin.hipaa.recorder provides it, the room's
// RecordingTap uses it): a recording of plaintext RTP that never leaves the process, so no SRTP, no
// UDP, no JSON and no stream key exist on this path. The data key stays inside the recorder.
// Files, retention, manifest, state and events are the ones an Admin API `start` gives; operators see
// these recordings with `status`/`list` like any other. Reached only through a lease of inProcess().
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hipaa/InProcessSlot.hpp"

namespace hipaa {

struct RecordingStreamSpec {
    bool video = false;
    std::string codec;  // [a-z0-9]{1,32}, e.g. "opus", "vp8"; "chat" for the chat stream
    std::string mid;    // printable, at most 32 bytes
    bool chat = false;  // kept chat: each write is one ChatRecord, sealed as it arrives (codec "chat")
};

// Who took part, kept with the recording (state file, signed manifest) so access can be narrowed to
// a visit's own participants. PHI-free: the room's participant pseudonyms ("ps1_" + 32 hex) of the
// providers and patients admitted when recording started (at most 16 each), the visit and room ids.
struct RecordingContext {
    std::string visit, room;
    std::vector<std::string> providers, patients;
};

// How a recording ended: `sealed`, or `failed` with the first failed file's reason (`no_space`, ...).
struct RecordingStopped {
    bool sealed = true;
    std::string failure;
};

class RecordingSink {
public:
    enum class Write {
        Recorded,  // appended to the stream's file
        Failed,    // the stream's file failed (now or earlier): not recorded, and never will be
        Refused,   // no such open in-process recording or stream, or not an RTP packet's size
    };

    virtual ~RecordingSink() = default;

    // Opens a recording of 1-8 streams under retention `policy` ("" = the recorder's default) with
    // `context` and returns its id (32 hex). Throws the recorder's Error (invalid stream or context
    // 303, unknown policy 424, files or state not writable 470); nothing stays open then.
    virtual std::string start(const std::vector<RecordingStreamSpec>& streams, const std::string& policy,
                              const RecordingContext& context) = 0;
    // Appends one plaintext RTP packet (a chat stream: one encoded ChatRecord) to stream `stream`
    // (index into start's streams). Sealing and
    // the file write happen here, on the caller's thread (never call it from a media thread).
    virtual Write write(const std::string& recording, size_t stream, const uint8_t* packet, size_t length) noexcept = 0;
    // While recording: the reason a stream's file failed (also on the recorder's own thread, which
    // seals partly filled chunks on time); empty when none did or the recording is not open.
    virtual std::string failure(const std::string& recording) = 0;
    // Seals (final chunks, fsync, signed manifest). Throws Error 470 when the manifest cannot be
    // written (the recording is left interrupted), the recorder's Error for an unknown or closed id.
    virtual RecordingStopped stop(const std::string& recording) = 0;

    // This process' slot (libhipaa_common.so); the recorder registers there at init.
    static InProcessSlot<RecordingSink>& inProcess();
};

}  // namespace hipaa
