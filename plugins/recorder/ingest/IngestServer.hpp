// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Receives SRTP RTP forwards on UDP (one socket per stream, ports from a configured range), checks
// and decrypts them with libsrtp and appends them to each stream's RecordingWriter. One receiver
// thread of our own (never a Janus thread); control calls (open/close/stats) come from any thread.
#include "RecordingWriter.hpp"
#include "SrtpSession.hpp"
#include "StreamCounters.hpp"
#include "UniqueFd.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/Logger.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hipaa::recorder {

struct IngestSettings {
    std::string address = "127.0.0.1";
    int portMin = 20000, portMax = 20999;
    int64_t chunkMs = 1000;  // a partly filled chunk is sealed after this long
};

class IngestServer {
public:
    struct StreamSink {
        std::unique_ptr<RecordingWriter> writer;
        std::unique_ptr<SrtpSession> srtp;
        // The recording's streams share one SRTP key (VideoRoom's rtp_forward): the port accepts only
        // the SSRC of its first authenticated packet, and never one another port of the recording
        // accepts, so a packet captured on one port and replayed to another is refused.
        bool pinSsrc = false;
    };

    // Told once per stream whose file could not be written (the writer has failed: from then on the
    // stream's packets are counted as lost). Runs on the receiver thread or in close(), never under
    // the server's lock.
    using WriteFailureHandler = std::function<void(const std::string& recording, size_t stream, int errnum)>;

    IngestServer(IngestSettings settings, Logger log, WriteFailureHandler onWriteFailure = nullptr);
    // Throws ConfigError naming the key unless the address is IPv4 and the port range is valid.
    static void checkSettings(const IngestSettings& settings);
    ~IngestServer();  // stops the thread; open recordings are finished (sealed)
    IngestServer(const IngestServer&) = delete;
    IngestServer& operator=(const IngestServer&) = delete;

    // Binds one UDP socket per sink on free ports of the range; returns the ports in sink order.
    // Throws Error(errc::kNoPorts) when the range is exhausted (nothing stays allocated).
    std::vector<int> open(const std::string& recording, std::vector<StreamSink> sinks);
    // Stops receiving and seals every stream; summaries in stream order. Empty if unknown. `counters`
    // (optional) gets each stream's final counters, after the last drain.
    std::vector<FileSummary> close(const std::string& recording, std::vector<StreamCounters>* counters = nullptr);
    bool active(const std::string& recording) const;
    std::vector<StreamCounters> counters(const std::string& recording) const;
    std::vector<std::string> recordings() const;

private:
    struct Stream {
        std::string recording;
        size_t index = 0;  // in the recording's stream order
        StreamSink sink;
        UniqueFd socket;
        int port = 0;
        StreamCounters counters;
        int64_t lastSealMs = 0;
        std::optional<uint32_t> ssrc;  // pinned (pinSsrc)
    };
    using Streams = std::vector<std::unique_ptr<Stream>>;

    struct Failure {
        std::string recording;
        size_t stream;
        int errnum;
    };

    void run();
    void drain(Stream& s, std::vector<Failure>& failures);
    // pinSsrc: false (and counted) when the packet's SSRC is not the one this port accepts.
    bool ssrcAccepted(Stream& s, const uint8_t* packet, bool authenticated);
    // Marks the stream failed (once) and queues the report.
    void streamFailed(Stream& s, int errnum, std::vector<Failure>& failures);
    void report(const std::vector<Failure>& failures);
    void wake();
    UniqueFd bindPort(int port) const;

    IngestSettings settings_;
    Logger log_;
    WriteFailureHandler onWriteFailure_;
    mutable std::mutex mutex_;
    std::map<std::string, Streams> recordings_;
    uint64_t generation_ = 0;
    UniqueFd wakeFd_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace hipaa::recorder
