// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Appends packets with their arrival times to a sealed recording file. A chunk is sealed (and written
// with one write()) when its plaintext reaches the header's chunk size, or on flush(); so after a
// crash (kill -9) everything up to the last written chunk stays readable. finish() seals the final
// chunk (last flag set), fsyncs and returns what the manifest records. Not thread-safe: one owner.
//
// A write that fails (full disk, file size limit, quota, I/O error) fails the writer for good: the
// file is cut back to the end of the last chunk written in full, the unsealed plaintext is wiped,
// and nothing is written again (no chunk counter is ever sealed twice). The file then holds an
// authentic prefix that the reader reports as "final chunk missing".
#include "ChunkSealer.hpp"
#include "Keyring.hpp"
#include "RecordingHeader.hpp"
#include "UniqueFd.hpp"

#include <string>

namespace hipaa::recorder {

struct FileSummary {
    std::string file;  // base name
    Digest256 sha256{};
    uint64_t bytes = 0, chunks = 0, packets = 0;  // what the file holds (sealed chunks only)
    bool complete = true;  // false: a write or the fsync failed (`error`); the file holds `chunks` chunks
    int error = 0;         // errno of that failure
};

class RecordingWriter {
public:
    // Creates `path` (must not exist, mode 0600). `header` needs id, kind, codec, mid, chunkSize;
    // the salt, creation time and key slot are filled in here.
    RecordingWriter(const std::string& path, RecordingHeader header, ByteView dataKey, const Keyring& keyring);
    ~RecordingWriter();
    RecordingWriter(const RecordingWriter&) = delete;
    RecordingWriter& operator=(const RecordingWriter&) = delete;

    // Record: u64 arrival time (µs since the epoch) || u16 length || packet. False (nothing kept) for
    // packets over 65535 bytes and once the writer is finished or failed. Throws WriteError when the
    // chunk this packet completes cannot be written (the writer has failed).
    bool append(uint64_t arrivalUs, ByteView packet);
    // Seals the buffered packets as a non-final chunk (no-op when empty or failed); throws WriteError
    // like append().
    void flush();
    // Seals the final chunk and fsyncs. Never throws for I/O: a failed writer (or a failure here)
    // gives complete = false and the summary of what the file authentically holds.
    FileSummary finish();

    const RecordingHeader& header() const { return header_; }
    uint64_t bufferedBytes() const { return buffer_.size(); }
    bool finished() const { return finished_; }
    bool failed() const { return error_ != 0; }
    int error() const { return error_; }

private:
    void sealChunk(bool last);
    void fail(int errnum);
    void wipeBuffer();

    std::string path_;
    RecordingHeader header_;
    std::optional<ChunkSealer> sealer_;
    UniqueFd fd_;
    Sha256 hash_;
    Bytes buffer_;  // plaintext records of the chunk being filled
    Bytes sealed_;  // u32 length || ciphertext || tag of the chunk being written
    uint64_t bufferedPackets_ = 0;
    FileSummary summary_;
    uint64_t counter_ = 0;
    bool finished_ = false;
    bool truncated_ = true;  // the file ends after the last complete chunk
    int error_ = 0;
};

}  // namespace hipaa::recorder
