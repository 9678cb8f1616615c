// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Opens and verifies a sealed recording file chunk by chunk. Every packet handed to the sink comes
// from a chunk that authenticated in order; the first problem stops reading and is reported in
// `damage` (tamper, wrong key, or the torn tail left by a crash), never silently accepted.
// Files are streamed: the header, then one chunk at a time (at most the header's chunk size plus one
// packet), so memory use does not grow with the recording.
#include "Keyring.hpp"
#include "RecordingHeader.hpp"

#include <functional>
#include <string>

namespace hipaa::recorder {

struct ReadReport {
    bool headerValid = false;     // header parsed
    bool keyValid = false;        // data key unwrapped
    bool keyUnavailable = false;  // not unwrapped because this keyring lacks the key (version gone, or public only)
    bool complete = false;        // final chunk authenticated and nothing follows it
    RecordingHeader header;
    uint64_t chunks = 0;  // chunks that authenticated
    uint64_t packets = 0;
    uint64_t verifiedBytes = 0;  // file prefix covered by the header and authenticated chunks
    uint64_t fileBytes = 0;
    Digest256 sha256{};  // of the whole file as read
    std::string damage;  // empty iff complete
};

class RecordingReader {
public:
    using PacketSink = std::function<void(uint64_t arrivalUs, ByteView packet)>;

    // Unwraps the data key with `keyring`.
    static ReadReport read(ByteView file, const Keyring& keyring, const PacketSink& sink = {});
    // Streams the file from disk; throws Error(kInternal) if it cannot be opened or read.
    static ReadReport readFile(const std::string& path, const Keyring& keyring, const PacketSink& sink = {});
    // With the data key itself (tests, tools).
    static ReadReport readWithKey(ByteView file, ByteView dataKey, const PacketSink& sink = {});

    // The longest header a file can have (fixed part with the longest codec and mid, largest key slot).
    static constexpr size_t kMaxHeaderBytes = kFixedHeaderMin + 64 + 7 + kMaxWrappedKey;

    class Source;  // the bytes of one file, read front to back (RecordingReader.cpp)

private:
    static ReadReport run(Source& file, const Keyring* keyring, ByteView dataKey, const PacketSink& sink);
};

}  // namespace hipaa::recorder
