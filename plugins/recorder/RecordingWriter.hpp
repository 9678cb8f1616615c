#pragma once
// Appends packets with their arrival times to a sealed recording file. A chunk is sealed (and written
// with one write()) when its plaintext reaches the header's chunk size, or on flush(); so after a
// crash (kill -9) everything up to the last written chunk stays readable. finish() seals the final
// chunk (last flag set), fsyncs and returns what the manifest records. Not thread-safe: one owner.
#include "ChunkSealer.hpp"
#include "Keyring.hpp"
#include "RecordingHeader.hpp"
#include "UniqueFd.hpp"

#include <string>

namespace hipaa::recorder {

struct FileSummary {
    std::string file;  // base name
    Digest256 sha256{};
    uint64_t bytes = 0, chunks = 0, packets = 0;
};

class RecordingWriter {
public:
    // Creates `path` (must not exist, mode 0600). `header` needs id, kind, codec, mid, chunkSize;
    // the salt, creation time and key slot are filled in here.
    RecordingWriter(const std::string& path, RecordingHeader header, ByteView dataKey, const Keyring& keyring);
    ~RecordingWriter();
    RecordingWriter(const RecordingWriter&) = delete;
    RecordingWriter& operator=(const RecordingWriter&) = delete;

    // Record: u64 arrival time (µs since the epoch) || u16 length || packet. Packets over 65535 bytes
    // are rejected (false).
    bool append(uint64_t arrivalUs, ByteView packet);
    // Seals the buffered packets as a non-final chunk (no-op when empty).
    void flush();
    FileSummary finish();

    const RecordingHeader& header() const { return header_; }
    uint64_t bufferedBytes() const { return buffer_.size(); }
    bool finished() const { return finished_; }

private:
    void sealChunk(bool last);

    std::string path_;
    RecordingHeader header_;
    std::optional<ChunkSealer> sealer_;
    UniqueFd fd_;
    Sha256 hash_;
    Bytes buffer_;
    FileSummary summary_;
    uint64_t counter_ = 0;
    bool finished_ = false;
};

}  // namespace hipaa::recorder
