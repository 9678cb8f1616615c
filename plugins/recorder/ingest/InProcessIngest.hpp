// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Recordings fed in process (RecordingSink: the room's tap): plaintext RTP appended to each stream's
// writer on the caller's thread (the tap's thread seals and writes; never a Janus media thread). No
// socket, no SRTP: the packets never left the process. This class' own thread seals partly filled
// chunks after chunk_ms, as the UDP receiver does, so a crash loses at most that much.
//
// A stream whose write fails is failed for good (its packets are counted `lost`), reported once
// through the failure handler, like IngestServer's streams. Locks: one per recording, so two rooms'
// taps never wait for each other's file writes; the index lock is never held across file I/O.
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "RecordingWriter.hpp"
#include "StreamCounters.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/RecordingSink.hpp"

namespace hipaa::recorder {

class InProcessIngest {
public:
    // As IngestServer's: told once per stream whose file could not be written; never under a lock.
    using WriteFailureHandler = std::function<void(const std::string& recording, size_t stream, int errnum)>;

    InProcessIngest(int64_t chunkMs, Logger log, WriteFailureHandler onWriteFailure = nullptr);
    ~InProcessIngest();  // stops the thread; open recordings are finished (sealed)
    InProcessIngest(const InProcessIngest&) = delete;
    InProcessIngest& operator=(const InProcessIngest&) = delete;

    // Takes the recording's writers (stream order). Throws when the id is already open.
    void open(const std::string& recording, std::vector<std::unique_ptr<RecordingWriter>> writers);
    RecordingSink::Write write(const std::string& recording, size_t stream, ByteView packet) noexcept;
    // Stops taking packets and seals every stream; summaries in stream order, empty if unknown.
    std::vector<FileSummary> close(const std::string& recording, std::vector<StreamCounters>* counters = nullptr);
    bool active(const std::string& recording) const;
    std::vector<StreamCounters> counters(const std::string& recording) const;
    std::vector<std::string> recordings() const;

private:
    struct Stream {
        std::unique_ptr<RecordingWriter> writer;
        StreamCounters counters;
        int64_t lastSealMs = 0;
    };
    struct Recording {
        std::mutex mutex;  // guards streams and closed: the writers are not thread-safe
        std::vector<Stream> streams;
        bool closed = false;
    };
    struct Failure {
        size_t stream;
        int errnum;
    };

    std::shared_ptr<Recording> find(const std::string& recording) const;
    // Marks the stream failed (once) and queues the report; called with the recording's lock held.
    static void streamFailed(Stream& s, size_t index, int errnum, std::vector<Failure>& failures);
    void report(const std::string& recording, const std::vector<Failure>& failures) noexcept;
    void run();

    const int64_t chunkMs_;
    Logger log_;
    WriteFailureHandler onWriteFailure_;
    mutable std::mutex mutex_;  // guards recordings_ and stop_ (the index only)
    std::condition_variable cv_;
    std::map<std::string, std::shared_ptr<Recording>> recordings_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace hipaa::recorder
